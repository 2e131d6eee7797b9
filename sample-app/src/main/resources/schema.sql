-- The sample's own table of who pays: each organization's customer ID at the billing provider
-- and its plan (NULL: the plan of the customer's subscription at the provider, else the
-- default plan). Run at every start (spring.sql.init.mode: always), so safe to run again.
CREATE TABLE IF NOT EXISTS sample_billing_account (
    organization_id  VARCHAR(200)  NOT NULL PRIMARY KEY,
    customer_id      VARCHAR(200)  NOT NULL,
    plan             VARCHAR(100)
);
