-- Runs once, when the postgres container starts on an empty volume (docker-entrypoint-initdb.d);
-- a database added here later must be created by hand on an existing volume.
-- One database per service: no service reads another's (DESIGN.md). The planned services'
-- databases are created now so that adding a service needs no manual step.
CREATE DATABASE esafety_directory;
CREATE DATABASE esafety_agreement;
CREATE DATABASE esafety_capture;
CREATE DATABASE esafety_incident;
CREATE DATABASE esafety_compliance;
CREATE DATABASE esafety_sanction;
CREATE DATABASE esafety_reporting;
