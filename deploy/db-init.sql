-- Creates, or brings up to date, one service's PostgreSQL login role and its own
-- database. Idempotent and serialised by an advisory lock, so every replica may
-- run it at start (compose's db-init service, the db-init container of each ECS
-- task, scripts/container-test.sh). The services' migrations then run inside
-- that database as that role.
--
-- Run with psql 15 or later (for \getenv), as an administrator that may create
-- roles and databases (a superuser, or the RDS master user), connected to the
-- `postgres` database; everything comes from the environment:
--
--   DB_NAME=auth DB_ROLE=auth DB_ROLE_PASSWORD=... \
--       PGHOST=... PGUSER=... PGPASSWORD=... PGDATABASE=postgres \
--       psql -X -q -v ON_ERROR_STOP=1 -f deploy/db-init.sql
--
-- The role's password is set on every run, so changing it means: change the
-- secret, run this again (restart the service), done. deploy/aws/stack.yaml
-- carries a copy of this file (DB_INIT_SQL); scripts/deploy-lint.sh checks that
-- the two are the same.
\set ON_ERROR_STOP on
\set QUIET on
\getenv db_name DB_NAME
\getenv db_role DB_ROLE
\getenv db_password DB_ROLE_PASSWORD
\if :{?db_name}
\else
\set db_name ''
\endif
\if :{?db_role}
\else
\set db_role ''
\endif
\if :{?db_password}
\else
\set db_password ''
\endif
SELECT :'db_name' <> '' AND :'db_role' <> '' AND length(:'db_password') >= 16 AS config_ok \gset
\if :config_ok
\else
\warn 'db-init: DB_NAME and DB_ROLE must be set, and DB_ROLE_PASSWORD at least 16 characters long'
SELECT 1 / 0 AS db_init_configuration_error;
\endif

-- Replicas of both services may start at once: one at a time from here on.
SELECT pg_advisory_lock(hashtext('jobsearch db-init')) AS locked \gset

SELECT format('CREATE ROLE %I LOGIN', :'db_role')
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'db_role') \gexec
SELECT format(
    'ALTER ROLE %I WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION PASSWORD %L',
    :'db_role', :'db_password') \gexec
-- CREATE DATABASE ... OWNER needs membership in the owner role (RDS's master
-- user is no superuser).
SELECT format('GRANT %I TO %I', :'db_role', current_user)
WHERE NOT pg_has_role(current_user, :'db_role', 'MEMBER') \gexec
SELECT format('CREATE DATABASE %I OWNER %I', :'db_name', :'db_role')
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db_name') \gexec
-- Only the owner (and administrators) may connect: the other service's role may not.
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', :'db_name') \gexec

SELECT pg_advisory_unlock(hashtext('jobsearch db-init')) AS unlocked \gset
\echo db-init: role and database ready: :db_role / :db_name
