"""The fault proof: load through the entry points while services and the broker are killed;
then nothing lost, nothing applied twice, every read model equal to a fresh replay."""
