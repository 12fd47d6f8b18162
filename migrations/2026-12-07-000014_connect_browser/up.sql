-- A connection attempt waiting for the provider's callback is bound to the browser that
-- continued from the link (a random key in a cookie): only that browser completes it.
ALTER TABLE oauth_states ADD COLUMN browser TEXT;
