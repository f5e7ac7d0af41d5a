-- The schema of a legacy CIMS deployment (MBek001/CIMSFastApi), as its two creation paths leave it:
--   * tables defined only in SQLAlchemy models come from `metadata.create_all` (create_tables.py): SQLAlchemy
--     `default=` values are Python-side, so those columns have NO server default; `index=True` gives `ix_<table>_<col>`;
--     `unique=True, index=True` gives a unique index instead of a constraint; enum types carry the Python enum NAMES;
--   * tables created by migrations/001-003 keep the migrations' SQL (server defaults, `idx_*` names, constraints).
-- All timestamps are `timestamp without time zone`: `customer.created_at` is the Tashkent wall clock, every other one
-- (`recall_time` included) is UTC.

-- ---------------------------------------------------------------- enum types (labels are the enum NAMES)
CREATE TYPE userrole AS ENUM ('CEO', 'financial_director', 'general_manager', 'member', 'customer', 'sales_manager');
CREATE TYPE customerstatus AS ENUM ('contacted', 'project_started', 'continuing', 'finished', 'rejected', 'need_to_call');
CREATE TYPE conversationlanguage AS ENUM ('UZ', 'RU', 'EN');
-- migrations/003 (second version): local/international; the first version's 'default' label never shipped at HEAD.
CREATE TYPE customertype AS ENUM ('local', 'international');

-- ---------------------------------------------------------------- models/user_models.py (create_all)
CREATE TABLE "user" (
    id SERIAL NOT NULL,
    email VARCHAR(255) NOT NULL,
    name VARCHAR(255) NOT NULL,
    surname VARCHAR(255) NOT NULL,
    password VARCHAR(255) NOT NULL,
    company_code VARCHAR(255),
    telegram_id VARCHAR(50),
    chat_id VARCHAR(64),
    default_salary NUMERIC(10, 2),
    role userrole,
    role_name VARCHAR(100),
    job_title VARCHAR(100),
    profile_image VARCHAR(500),
    is_active BOOLEAN,
    is_admin BOOLEAN,
    is_staff BOOLEAN,
    is_superuser BOOLEAN,
    PRIMARY KEY (id)
);
-- Unique and case-sensitive: 'Ali@x.uz' and 'ali@x.uz' are two users.
CREATE UNIQUE INDEX ix_user_email ON "user" (email);

-- page_name was once the PG enum `pagename`; the app converts the column to varchar on start-up.
CREATE TABLE user_page_permission (
    id SERIAL NOT NULL,
    user_id INTEGER NOT NULL,
    page_name VARCHAR(100) NOT NULL,
    PRIMARY KEY (id),
    CONSTRAINT uq_user_page_permission UNIQUE (user_id, page_name),
    FOREIGN KEY (user_id) REFERENCES "user" (id) ON DELETE CASCADE
);

-- No created_at / expires_at: used codes are overwritten with the literal '0'.
CREATE TABLE verification_code (
    id SERIAL NOT NULL,
    user_id INTEGER NOT NULL,
    code VARCHAR(10) NOT NULL,
    type VARCHAR(50) NOT NULL,
    PRIMARY KEY (id),
    CONSTRAINT unique_user_code UNIQUE (user_id, type),
    FOREIGN KEY (user_id) REFERENCES "user" (id) ON DELETE CASCADE
);

-- ---------------------------------------------------------------- migrations/002: refresh tokens (plaintext)
CREATE TABLE refresh_token (
    id SERIAL PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES "user"(id) ON DELETE CASCADE,
    token VARCHAR(500) NOT NULL UNIQUE,
    expires_at TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL,
    is_active BOOLEAN DEFAULT TRUE,
    device_info VARCHAR(255)
);
CREATE INDEX idx_refresh_token_user ON refresh_token(user_id);
CREATE INDEX idx_refresh_token_token ON refresh_token(token);
CREATE INDEX idx_refresh_token_active ON refresh_token(is_active);
CREATE INDEX idx_refresh_token_expires ON refresh_token(expires_at);

-- ---------------------------------------------------------------- management tables (create_all)
CREATE TABLE app_page (
    id SERIAL NOT NULL,
    name VARCHAR(100) NOT NULL,
    display_name VARCHAR(255) NOT NULL,
    description TEXT,
    route_path VARCHAR(255),
    "order" INTEGER,
    is_active BOOLEAN,
    is_system BOOLEAN,
    created_at TIMESTAMP WITHOUT TIME ZONE,
    updated_at TIMESTAMP WITHOUT TIME ZONE,
    PRIMARY KEY (id),
    UNIQUE (name)
);

-- ---------------------------------------------------------------- migrations/001: dynamic statuses and roles
CREATE TABLE customer_status (
    id SERIAL PRIMARY KEY,
    name VARCHAR(100) UNIQUE NOT NULL,
    display_name VARCHAR(255) NOT NULL,
    description TEXT,
    color VARCHAR(50),
    "order" INTEGER DEFAULT 0,
    is_active BOOLEAN DEFAULT TRUE,
    is_system BOOLEAN DEFAULT FALSE,
    created_at TIMESTAMP DEFAULT NOW(),
    updated_at TIMESTAMP DEFAULT NOW()
);

CREATE TABLE user_role (
    id SERIAL PRIMARY KEY,
    name VARCHAR(100) UNIQUE NOT NULL,
    display_name VARCHAR(255) NOT NULL,
    description TEXT,
    is_active BOOLEAN DEFAULT TRUE,
    is_system BOOLEAN DEFAULT FALSE,
    created_at TIMESTAMP DEFAULT NOW(),
    updated_at TIMESTAMP DEFAULT NOW()
);

CREATE INDEX idx_customer_status_name ON customer_status(name);
CREATE INDEX idx_customer_status_active ON customer_status(is_active);
CREATE INDEX idx_user_role_name ON user_role(name);
CREATE INDEX idx_user_role_active ON user_role(is_active);

-- ---------------------------------------------------------------- models/admin_models.py: customer (create_all)
-- full_name and phone_number hold Fernet tokens; created_at is the Tashkent wall clock, recall_time UTC.
CREATE TABLE customer (
    id SERIAL NOT NULL,
    full_name VARCHAR(500) NOT NULL,
    platform VARCHAR(255) NOT NULL,
    username VARCHAR(255),
    phone_number VARCHAR(500) NOT NULL,
    status customerstatus NOT NULL,
    status_name VARCHAR(100),
    type customertype DEFAULT NULL,
    assistant_name VARCHAR(255),
    chat_url VARCHAR(1000),
    notes TEXT,
    aisummary TEXT,
    importance_score INTEGER,
    priority_score INTEGER,
    priority_level VARCHAR(50),
    priority_reason TEXT,
    industry VARCHAR(100),
    business_age_years INTEGER,
    audio_file_id VARCHAR(500),
    audio_url VARCHAR(1000),
    recall_time TIMESTAMP WITHOUT TIME ZONE,
    conversation_language conversationlanguage,
    created_at TIMESTAMP WITHOUT TIME ZONE NOT NULL,
    is_archived BOOLEAN,
    PRIMARY KEY (id)
);
CREATE INDEX idx_customer_type ON customer(type);

CREATE TABLE customer_note (
    id SERIAL NOT NULL,
    customer_id INTEGER NOT NULL,
    note TEXT NOT NULL,
    created_by INTEGER,
    created_at TIMESTAMP WITHOUT TIME ZONE NOT NULL,
    updated_at TIMESTAMP WITHOUT TIME ZONE NOT NULL,
    PRIMARY KEY (id),
    FOREIGN KEY (customer_id) REFERENCES customer (id) ON DELETE CASCADE,
    FOREIGN KEY (created_by) REFERENCES "user" (id) ON DELETE SET NULL
);
CREATE INDEX ix_customer_note_customer_id ON customer_note (customer_id);

-- Only legacy-enum transitions are logged (a dynamic status change writes nothing here).
CREATE TABLE customer_status_change_log (
    id SERIAL NOT NULL,
    customer_id INTEGER NOT NULL,
    from_status customerstatus,
    to_status customerstatus,
    changed_at TIMESTAMP WITHOUT TIME ZONE,
    PRIMARY KEY (id),
    FOREIGN KEY (customer_id) REFERENCES customer (id) ON DELETE CASCADE
);

-- ---------------------------------------------------------------- migrations/001: sales-manager round robin
CREATE TABLE sales_manager_assignment (
    id SERIAL PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customer(id) ON DELETE CASCADE,
    sales_manager_id INTEGER NOT NULL REFERENCES "user"(id) ON DELETE CASCADE,
    assigned_at TIMESTAMP DEFAULT NOW(),
    assigned_by INTEGER REFERENCES "user"(id) ON DELETE SET NULL,
    is_active BOOLEAN DEFAULT TRUE,
    CONSTRAINT uq_customer_assignment UNIQUE (customer_id)
);
CREATE INDEX idx_sm_assignment_customer ON sales_manager_assignment(customer_id);
CREATE INDEX idx_sm_assignment_manager ON sales_manager_assignment(sales_manager_id);
CREATE INDEX idx_sm_assignment_active ON sales_manager_assignment(is_active);

CREATE TABLE sales_manager_counter (
    id SERIAL PRIMARY KEY,
    last_assigned_index INTEGER DEFAULT 0,
    updated_at TIMESTAMP DEFAULT NOW()
);

-- ---------------------------------------------------------------- audit log (create_all)
-- before_data / after_data / changed_fields are JSON stored as TEXT.
CREATE TABLE audit_log (
    id SERIAL NOT NULL,
    created_at TIMESTAMP WITHOUT TIME ZONE,
    actor_user_id INTEGER,
    actor_email VARCHAR(255),
    actor_name VARCHAR(255),
    module VARCHAR(100),
    table_name VARCHAR(100),
    entity_type VARCHAR(100),
    entity_id VARCHAR(100),
    action VARCHAR(100),
    summary TEXT,
    before_data TEXT,
    after_data TEXT,
    changed_fields TEXT,
    request_id VARCHAR(100),
    ip_address VARCHAR(100),
    user_agent VARCHAR(1000),
    is_system_action BOOLEAN,
    PRIMARY KEY (id),
    FOREIGN KEY (actor_user_id) REFERENCES "user" (id) ON DELETE SET NULL
);
CREATE INDEX ix_audit_log_created_at ON audit_log (created_at);
CREATE INDEX ix_audit_log_actor_user_id ON audit_log (actor_user_id);

-- ---------------------------------------------------------------- migrations/002: Instagram statistics
CREATE TABLE instagram_account (
    id SERIAL PRIMARY KEY,
    account_username VARCHAR(255) NOT NULL,
    instagram_business_account_id VARCHAR(255),
    facebook_page_id VARCHAR(255),
    access_token VARCHAR(500),
    token_expires_at TIMESTAMP,
    is_active BOOLEAN DEFAULT TRUE,
    last_synced_at TIMESTAMP,
    created_at TIMESTAMP DEFAULT NOW(),
    updated_at TIMESTAMP DEFAULT NOW()
);

CREATE TABLE instagram_stats (
    id SERIAL PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES instagram_account(id) ON DELETE CASCADE,
    date DATE NOT NULL,
    followers_count INTEGER NOT NULL,
    following_count INTEGER,
    media_count INTEGER,
    created_at TIMESTAMP DEFAULT NOW(),
    CONSTRAINT uq_instagram_stats_account_date UNIQUE (account_id, date)
);
CREATE INDEX idx_instagram_stats_date ON instagram_stats(date);
CREATE INDEX idx_instagram_stats_account_date ON instagram_stats(account_id, date);

-- ---------------------------------------------------------------- recall bot dedupe log (create_all)
-- Columns as routers/recall_bot.py reads and writes them; the model file at HEAD was not available, so types are
-- the SQLAlchemy types its values imply.
CREATE TABLE recall_notification_log (
    id SERIAL NOT NULL,
    customer_id INTEGER NOT NULL,
    recipient_chat_id VARCHAR(64) NOT NULL,
    reminder_minutes INTEGER NOT NULL,
    scheduled_for TIMESTAMP WITHOUT TIME ZONE NOT NULL,
    notification_sent BOOLEAN,
    sent_at TIMESTAMP WITHOUT TIME ZONE,
    error_message TEXT,
    created_at TIMESTAMP WITHOUT TIME ZONE,
    PRIMARY KEY (id),
    FOREIGN KEY (customer_id) REFERENCES customer (id) ON DELETE CASCADE
);
