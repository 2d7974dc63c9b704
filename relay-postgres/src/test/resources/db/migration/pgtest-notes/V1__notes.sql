CREATE TABLE note (id integer PRIMARY KEY, body text NOT NULL);
