-- 0001_store: the store's own tables, in schema `store` (LangGraph's checkpoint tables live in `public`).
-- Applied by tools/store/migrate.py in one transaction; never edit after it has been applied anywhere:
-- add a new NNNN_name.sql instead.

CREATE SCHEMA IF NOT EXISTS store;

-- Timestamps inside JSON built by queries, in the same form as Python's datetime.isoformat() in UTC.
CREATE FUNCTION store.iso_utc(ts timestamptz) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS')
        || CASE WHEN date_part('microseconds', ts)::bigint % 1000000 <> 0
                THEN to_char(ts AT TIME ZONE 'UTC', '.US') ELSE '' END
        || '+00:00'
$$;

CREATE TABLE store.customers (
    id          text PRIMARY KEY CHECK (id ~ '^CUST-[0-9]{4,}$'),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    email       text NOT NULL UNIQUE CHECK (email ~ '^[^@\s]+@[^@\s]+\.[a-z]{2,}$'),
    phone       text CHECK (phone ~ '^\+[0-9 ]{6,20}$'),
    status      text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'closed')),
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE store.accounts (
    customer_id     text PRIMARY KEY REFERENCES store.customers (id),
    login_state     text NOT NULL DEFAULT 'active' CHECK (login_state IN ('active', 'locked')),
    failed_logins   integer NOT NULL DEFAULT 0 CHECK (failed_logins BETWEEN 0 AND 100),
    last_login_at   timestamptz,
    closed_at       timestamptz,
    email_verified  boolean NOT NULL DEFAULT false,
    updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE store.addresses (
    id           text PRIMARY KEY CHECK (id ~ '^ADR-[0-9]{5,}$'),
    customer_id  text NOT NULL REFERENCES store.customers (id),
    label        text NOT NULL CHECK (label IN ('home', 'work', 'other')),
    recipient    text NOT NULL CHECK (length(recipient) BETWEEN 1 AND 200),
    line1        text NOT NULL CHECK (length(line1) BETWEEN 1 AND 200),
    line2        text CHECK (length(line2) <= 200),
    postal_code  text NOT NULL CHECK (length(postal_code) BETWEEN 2 AND 12),
    city         text NOT NULL CHECK (length(city) BETWEEN 1 AND 100),
    country      text NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
    is_default   boolean NOT NULL DEFAULT false,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX addresses_customer_idx ON store.addresses (customer_id);
CREATE UNIQUE INDEX addresses_one_default_idx ON store.addresses (customer_id) WHERE is_default;

CREATE TABLE store.newsletter_subscriptions (
    customer_id  text NOT NULL REFERENCES store.customers (id),
    topic        text NOT NULL CHECK (topic IN ('weekly_deals', 'new_arrivals', 'product_news')),
    subscribed   boolean NOT NULL,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (customer_id, topic)
);

CREATE TABLE store.products (
    id        text PRIMARY KEY CHECK (id ~ '^PRD-[0-9]{4,}$'),
    name      text NOT NULL UNIQUE,
    category  text NOT NULL CHECK (category IN (
                  'electronics', 'home_kitchen', 'books', 'clothing', 'sports_outdoors',
                  'toys_games', 'beauty', 'garden', 'office')),
    price     numeric(12, 2) NOT NULL CHECK (price > 0),
    stock     integer NOT NULL CHECK (stock >= 0),
    active    boolean NOT NULL DEFAULT true
);
CREATE INDEX products_category_idx ON store.products (category);

CREATE TABLE store.payment_methods (
    id           text PRIMARY KEY CHECK (id ~ '^PM-[0-9]{5,}$'),
    customer_id  text NOT NULL REFERENCES store.customers (id),
    kind         text NOT NULL CHECK (kind IN ('card', 'paypal', 'bank_transfer')),
    brand        text CHECK (brand IN ('visa', 'mastercard', 'amex')),
    card_last4   text CHECK (card_last4 ~ '^[0-9]{4}$'),
    exp_month    smallint CHECK (exp_month BETWEEN 1 AND 12),
    exp_year     smallint CHECK (exp_year BETWEEN 2000 AND 2100),
    paypal_email text,
    is_default   boolean NOT NULL DEFAULT false,
    created_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (id, customer_id),
    CHECK ((kind = 'card') = (card_last4 IS NOT NULL AND brand IS NOT NULL
                              AND exp_month IS NOT NULL AND exp_year IS NOT NULL)),
    CHECK ((kind = 'paypal') = (paypal_email IS NOT NULL))
);
CREATE INDEX payment_methods_customer_idx ON store.payment_methods (customer_id);
CREATE UNIQUE INDEX payment_methods_one_default_idx ON store.payment_methods (customer_id) WHERE is_default;

CREATE TABLE store.orders (
    id                text PRIMARY KEY CHECK (id ~ '^ORD-[0-9]{6,}$'),
    customer_id       text NOT NULL REFERENCES store.customers (id),
    status            text NOT NULL CHECK (status IN (
                          'placed', 'paid', 'processing', 'shipped', 'delivered', 'cancelled', 'returned')),
    placed_at         timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL,
    cancelled_at      timestamptz,
    subtotal          numeric(12, 2) NOT NULL CHECK (subtotal >= 0),
    shipping_fee      numeric(12, 2) NOT NULL DEFAULT 0 CHECK (shipping_fee >= 0),
    total             numeric(12, 2) NOT NULL CHECK (total >= 0),
    currency          text NOT NULL DEFAULT 'EUR' CHECK (currency = 'EUR'),
    shipping_address  text NOT NULL CHECK (length(shipping_address) BETWEEN 1 AND 500),
    UNIQUE (id, customer_id),
    CHECK (total = subtotal + shipping_fee),
    CHECK ((status = 'cancelled') = (cancelled_at IS NOT NULL)),
    CHECK (updated_at >= placed_at)
);
CREATE INDEX orders_customer_idx ON store.orders (customer_id, placed_at DESC);
CREATE INDEX orders_status_idx ON store.orders (status);

CREATE TABLE store.order_items (
    order_id      text NOT NULL REFERENCES store.orders (id),
    line_no       smallint NOT NULL CHECK (line_no >= 1),
    product_id    text NOT NULL REFERENCES store.products (id),
    product_name  text NOT NULL,
    quantity      integer NOT NULL CHECK (quantity BETWEEN 1 AND 100),
    unit_price    numeric(12, 2) NOT NULL CHECK (unit_price >= 0),
    PRIMARY KEY (order_id, line_no)
);
CREATE INDEX order_items_product_idx ON store.order_items (product_id);

CREATE TABLE store.shipments (
    id                text PRIMARY KEY CHECK (id ~ '^SHP-[0-9]{6,}$'),
    order_id          text NOT NULL,
    customer_id       text NOT NULL REFERENCES store.customers (id),
    carrier           text NOT NULL CHECK (carrier IN ('DHL', 'DPD', 'GLS', 'UPS', 'PostNL', 'Colissimo')),
    tracking_number   text NOT NULL UNIQUE CHECK (tracking_number ~ '^TRK[A-Z0-9]{8}$'),
    status            text NOT NULL CHECK (status IN (
                          'label_created', 'in_transit', 'out_for_delivery', 'delivered', 'delayed', 'lost')),
    shipped_at        timestamptz,
    promised_by       date NOT NULL,
    delivered_at      timestamptz,
    shipping_address  text NOT NULL CHECK (length(shipping_address) BETWEEN 1 AND 500),
    FOREIGN KEY (order_id, customer_id) REFERENCES store.orders (id, customer_id),
    CHECK ((status = 'delivered') = (delivered_at IS NOT NULL)),
    CHECK (status = 'label_created' OR shipped_at IS NOT NULL)
);
CREATE INDEX shipments_customer_idx ON store.shipments (customer_id);
CREATE INDEX shipments_order_idx ON store.shipments (order_id);

CREATE TABLE store.shipment_events (
    shipment_id  text NOT NULL REFERENCES store.shipments (id),
    seq          smallint NOT NULL CHECK (seq >= 1),
    ts           timestamptz NOT NULL,
    status       text NOT NULL CHECK (status IN (
                     'label_created', 'in_transit', 'out_for_delivery', 'delivered', 'delayed', 'lost')),
    location     text NOT NULL,
    description  text NOT NULL,
    PRIMARY KEY (shipment_id, seq)
);

CREATE TABLE store.invoices (
    id           text PRIMARY KEY CHECK (id ~ '^INV-[0-9]{6,}$'),
    order_id     text NOT NULL,
    customer_id  text NOT NULL REFERENCES store.customers (id),
    amount       numeric(12, 2) NOT NULL CHECK (amount >= 0),
    currency     text NOT NULL DEFAULT 'EUR' CHECK (currency = 'EUR'),
    status       text NOT NULL CHECK (status IN ('open', 'paid', 'void')),
    issued_at    timestamptz NOT NULL,
    paid_at      timestamptz,
    UNIQUE (id, customer_id),
    FOREIGN KEY (order_id, customer_id) REFERENCES store.orders (id, customer_id),
    CHECK ((status = 'paid') = (paid_at IS NOT NULL))
);
CREATE INDEX invoices_customer_idx ON store.invoices (customer_id);
CREATE INDEX invoices_order_idx ON store.invoices (order_id);

CREATE TABLE store.payments (
    id                 text PRIMARY KEY CHECK (id ~ '^PAY-[0-9]{6,}$'),
    order_id           text NOT NULL,
    invoice_id         text,
    customer_id        text NOT NULL REFERENCES store.customers (id),
    payment_method_id  text,
    amount             numeric(12, 2) NOT NULL CHECK (amount > 0),
    currency           text NOT NULL DEFAULT 'EUR' CHECK (currency = 'EUR'),
    method             text NOT NULL CHECK (method IN ('card', 'paypal', 'bank_transfer')),
    card_last4         text CHECK (card_last4 ~ '^[0-9]{4}$'),
    status             text NOT NULL CHECK (status IN ('authorised', 'captured', 'failed', 'refunded', 'voided')),
    created_at         timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL,
    UNIQUE (id, customer_id),
    FOREIGN KEY (order_id, customer_id) REFERENCES store.orders (id, customer_id),
    FOREIGN KEY (invoice_id, customer_id) REFERENCES store.invoices (id, customer_id),
    FOREIGN KEY (payment_method_id, customer_id) REFERENCES store.payment_methods (id, customer_id),
    CHECK ((method = 'card') = (card_last4 IS NOT NULL)),
    CHECK (updated_at >= created_at)
);
CREATE INDEX payments_customer_idx ON store.payments (customer_id);
CREATE INDEX payments_order_idx ON store.payments (order_id, amount);

CREATE TABLE store.refunds (
    id           text PRIMARY KEY CHECK (id ~ '^RF-[0-9]{6,}$'),
    payment_id   text NOT NULL,
    order_id     text NOT NULL,
    customer_id  text NOT NULL REFERENCES store.customers (id),
    amount       numeric(12, 2) NOT NULL CHECK (amount > 0),
    currency     text NOT NULL DEFAULT 'EUR' CHECK (currency = 'EUR'),
    status       text NOT NULL CHECK (status IN ('pending', 'issued', 'rejected')),
    reason       text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
    created_at   timestamptz NOT NULL,
    issued_at    timestamptz,
    FOREIGN KEY (payment_id, customer_id) REFERENCES store.payments (id, customer_id),
    FOREIGN KEY (order_id, customer_id) REFERENCES store.orders (id, customer_id),
    CHECK ((status = 'issued') = (issued_at IS NOT NULL))
);
CREATE INDEX refunds_customer_idx ON store.refunds (customer_id);
CREATE INDEX refunds_payment_idx ON store.refunds (payment_id);

CREATE TABLE store.support_tickets (
    id           text PRIMARY KEY CHECK (id ~ '^TCK-[0-9]{6,}$'),
    customer_id  text NOT NULL REFERENCES store.customers (id),
    order_id     text,
    subject      text NOT NULL CHECK (length(subject) BETWEEN 1 AND 200),
    body         text NOT NULL CHECK (length(body) BETWEEN 1 AND 10000),
    status       text NOT NULL CHECK (status IN ('open', 'closed')),
    priority     text NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    created_at   timestamptz NOT NULL DEFAULT now(),
    closed_at    timestamptz,
    FOREIGN KEY (order_id, customer_id) REFERENCES store.orders (id, customer_id),
    CHECK ((status = 'closed') = (closed_at IS NOT NULL))
);
CREATE INDEX support_tickets_customer_idx ON store.support_tickets (customer_id);

CREATE TABLE store.product_reviews (
    id           text PRIMARY KEY CHECK (id ~ '^REV-[0-9]{6,}$'),
    customer_id  text NOT NULL REFERENCES store.customers (id),
    product_id   text NOT NULL REFERENCES store.products (id),
    rating       smallint NOT NULL CHECK (rating BETWEEN 1 AND 5),
    title        text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    body         text NOT NULL CHECK (length(body) BETWEEN 1 AND 10000),
    created_at   timestamptz NOT NULL,
    UNIQUE (customer_id, product_id)
);
CREATE INDEX product_reviews_customer_idx ON store.product_reviews (customer_id);
CREATE INDEX product_reviews_product_idx ON store.product_reviews (product_id, created_at DESC);

-- Named, planted situations (one dedicated customer each) for demos and tests: see tools/store/seed.py.
CREATE TABLE store.scenarios (
    name         text PRIMARY KEY CHECK (name ~ '^[a-z][a-z0-9_]*$'),
    description  text NOT NULL,
    customer_id  text NOT NULL UNIQUE REFERENCES store.customers (id),
    order_id     text,
    details      jsonb NOT NULL DEFAULT '{}'::jsonb,
    FOREIGN KEY (order_id, customer_id) REFERENCES store.orders (id, customer_id)
);

-- One row once the store has been seeded: which seed, and the reference "now" the data is built around.
CREATE TABLE store.seed_info (
    singleton      boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    seed           integer NOT NULL,
    customers      integer NOT NULL CHECK (customers > 0),
    reference_now  timestamptz NOT NULL,
    generator      text NOT NULL,
    seeded_at      timestamptz NOT NULL DEFAULT now()
);
