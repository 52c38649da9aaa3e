-- Requests that tripped a bot check are kept, with the reason, and never released on their own.
ALTER TABLE requests ADD COLUMN spam TEXT;
