-- +goose Up
-- API tokens get a name and an optional expiry. Deactivating a user or
-- setting their password deletes their tokens, so reactivating them brings
-- none back; tokens of users deactivated before this version go now.
ALTER TABLE api_tokens ADD COLUMN name TEXT NOT NULL DEFAULT '';
ALTER TABLE api_tokens ADD COLUMN expires_at BIGINT;
CREATE INDEX api_tokens_user ON api_tokens (user_id, id);
DELETE FROM api_tokens WHERE user_id IN (SELECT id FROM users WHERE NOT active);

-- A caller who revealed a customer's contacts may correct them for a while
-- after: edits look up their latest reveal.
CREATE INDEX audit_reveal ON audit_log (target_id, actor_id, at) WHERE action = 'reveal';

-- +goose Down
DROP INDEX audit_reveal;
DROP INDEX api_tokens_user;
ALTER TABLE api_tokens DROP COLUMN expires_at;
ALTER TABLE api_tokens DROP COLUMN name;
