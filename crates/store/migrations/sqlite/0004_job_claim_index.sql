-- Claims take the highest-priority ready jobs: an index in that order lets the
-- database stop after LIMIT rows instead of sorting the whole queue each time.
CREATE INDEX jobs_claim ON jobs (state, priority DESC, run_at, id);
