"""The sanctions' pure domain: the matrices, a person's sanction record, who may see what."""
