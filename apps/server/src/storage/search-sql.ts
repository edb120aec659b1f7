/**
 * The full-text index of `search_turns.words` in each database's own engine,
 * substituted for `{{SEARCH_INDEX}}` in the migrations.
 *
 * SQLite: an FTS5 table over the words (external content, kept in step by
 * triggers, so a deleted transcript's rows leave the index with it). The words
 * are already lower-cased without diacritics (`indexWords`), so the tokenizer only
 * splits on spaces.
 */
export const SQLITE_SEARCH_INDEX = `
  CREATE VIRTUAL TABLE search_fts USING fts5(words, content='search_turns', content_rowid='id', tokenize='unicode61 remove_diacritics 0');
  CREATE TRIGGER search_turns_ai AFTER INSERT ON search_turns BEGIN
    INSERT INTO search_fts (rowid, words) VALUES (new.id, new.words);
  END;
  CREATE TRIGGER search_turns_ad AFTER DELETE ON search_turns BEGIN
    INSERT INTO search_fts (search_fts, rowid, words) VALUES ('delete', old.id, old.words);
  END;
`;

/** PostgreSQL: a GIN index on the words' tsvector ('simple': no stemming, no stop words). */
export const POSTGRES_SEARCH_INDEX = `
  CREATE INDEX search_turns_fts ON search_turns USING GIN (to_tsvector('simple', words));
`;

/** The columns a search returns, joined with the transcript's name and order. */
export const SEARCH_ROW_COLUMNS = 's.id, s.transcript_id, t.name AS transcript_name, s.turn, s.speaker, s.start, s.text';
