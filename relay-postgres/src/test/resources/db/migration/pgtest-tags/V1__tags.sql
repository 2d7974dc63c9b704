CREATE TABLE tag (name text PRIMARY KEY);
