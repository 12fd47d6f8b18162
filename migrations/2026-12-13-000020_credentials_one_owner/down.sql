DROP INDEX credentials_one_owner;
