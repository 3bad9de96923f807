-- Count lease expiries apart from attempts: a worker process that dies is not
-- the job's fault, but a job that kills its worker every time must still stop.
ALTER TABLE jobs ADD COLUMN lease_expiries INTEGER NOT NULL DEFAULT 0;
