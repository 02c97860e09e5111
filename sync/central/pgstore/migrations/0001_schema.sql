-- The central storage's first schema. Portable to the PostgreSQL-compatible
-- distributed engines: plain tables, primary keys chosen for the reads
-- (an office's days, a station's log, a request's events are each one
-- key range), no sequences, triggers or extensions.

CREATE TABLE stations (
    key          text PRIMARY KEY,          -- OFFICE/STATION
    office       text NOT NULL,
    code         text NOT NULL,
    name         text NOT NULL,
    token_hash   text NOT NULL UNIQUE,      -- SHA-256 of the token, hex
    revoked      boolean NOT NULL,
    station_id   text NOT NULL,             -- the bound database, '' until its first push
    epoch        text NOT NULL,
    generation   bigint NOT NULL,
    high_water   bigint NOT NULL,
    created_at   timestamptz NOT NULL,
    last_seen    timestamptz,
    skew_seconds bigint NOT NULL,
    skewed       boolean NOT NULL
);

-- A station's log: one key range per (station, generation), in order.
CREATE TABLE events (
    station     text NOT NULL REFERENCES stations (key),
    generation  bigint NOT NULL,
    seq         bigint NOT NULL,
    type        text NOT NULL,
    request_id  text NOT NULL,              -- '' for catalog.adopted
    hash        text NOT NULL,
    event       text NOT NULL,              -- the event as sent, JSON, byte for byte
    received_at timestamptz NOT NULL,
    PRIMARY KEY (station, generation, seq)
);
CREATE INDEX events_request ON events (request_id);

-- The requests as their events made them: an office's day is one range of
-- the primary key; a request is found by its ID through the unique index.
CREATE TABLE requests (
    office  text NOT NULL,
    day     text NOT NULL,                  -- YYYY-MM-DD, the local day of arrival
    id      text NOT NULL UNIQUE,           -- ULID: arrival order
    station text NOT NULL REFERENCES stations (key),
    request text NOT NULL,                  -- queue.Request JSON
    PRIMARY KEY (office, day, id)
);
CREATE INDEX requests_day ON requests (day, id);

-- The personal part of an event (protocol v2: name, NIK, phone, notes and
-- the key of their digest), apart from the facts so it can be erased.
CREATE TABLE personal (
    station    text NOT NULL,
    generation bigint NOT NULL,
    seq        bigint NOT NULL,
    request_id text NOT NULL,
    personal   bytea NOT NULL,
    PRIMARY KEY (station, generation, seq),
    FOREIGN KEY (station, generation, seq) REFERENCES events (station, generation, seq)
);
CREATE INDEX personal_request ON personal (request_id);

CREATE TABLE catalog (
    version      bigint PRIMARY KEY,
    services     text NOT NULL,             -- []queue.Service JSON
    published_at timestamptz NOT NULL
);

CREATE TABLE supervisors (
    token_hash text PRIMARY KEY,
    office     text NOT NULL,               -- '' for every office
    created_at timestamptz NOT NULL
);
