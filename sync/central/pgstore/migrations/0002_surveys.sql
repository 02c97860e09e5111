-- The satisfaction survey (package skm): one answer per request, given on
-- the centre's /skm page or sent by a station as survey.answered; the first
-- one stands. The comment is free text: an erasure of the request's
-- personal part removes it from the answer (the scores stay).
CREATE TABLE surveys (
    request_id text PRIMARY KEY,
    office     text NOT NULL,               -- the office code of the request's station
    day        text NOT NULL,               -- YYYY-MM-DD, the answer's own date
    service    text NOT NULL,
    answer     text NOT NULL                -- skm.Answer JSON
);
CREATE INDEX surveys_day ON surveys (day, request_id);

-- A request is found by its tracking code (the survey's and tracking pages).
CREATE INDEX requests_tracking ON requests (((request::jsonb) ->> 'tracking_code'));
