-- The facts the statistics read, in columns beside the request's JSON, so
-- that statistics read these and not the whole request (decoding a
-- request's JSON is most of the cost of a year's statistics). Times are
-- Unix nanoseconds (timestamptz keeps microseconds: waits would not be the
-- counter's to the nanosecond), the arrival's UTC offset in seconds.
-- Rows stored before this version are filled by the server at start
-- (pgstore.fillFacts), a batch at a time, until none has arrived_ns NULL.
ALTER TABLE requests
    ADD COLUMN status        text,
    ADD COLUMN service       text,
    ADD COLUMN first_service text,
    ADD COLUMN counter       text,
    ADD COLUMN clerk         text,
    ADD COLUMN arrived_ns    bigint,
    ADD COLUMN arr_offset    integer,
    ADD COLUMN called_ns     bigint,
    ADD COLUMN serving_ns    bigint,
    ADD COLUMN done_ns       bigint,
    ADD COLUMN transfers     integer,
    ADD COLUMN reopens       integer;
