DROP TABLE oauth_states;
DROP TABLE credentials;
DROP TABLE users;
