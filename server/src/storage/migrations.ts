import { sql, type Kysely, type Migration } from 'kysely';
import { createMediaTables } from '../media/schema.js';

type Dialect = 'sqlite' | 'postgres';

/**
 * Schema migrations, in order. Each is written once with Kysely's schema builder so both
 * dialects get the same tables; the few dialect differences (auto-increment ids, triggers)
 * are spelled out where they occur.
 */
export function migrations(dialect: Dialect): Record<string, Migration> {
  return {
    '001_initial': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('pages')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('title', 'text', (c) => c.notNull())
          .addColumn('visibility', 'text', (c) => c.notNull())
          .addColumn('wall_moderation', 'text', (c) => c.notNull().defaultTo('post'))
          .addColumn('seq', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('follower_count', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .execute();

        await db.schema
          .createTable('page_members')
          .addColumn('page_id', 'text', (c) => c.notNull().references('pages.id').onDelete('cascade'))
          .addColumn('user_id', 'text', (c) => c.notNull())
          .addColumn('role', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('page_members_pk', ['page_id', 'user_id'])
          .execute();

        await db.schema
          .createTable('follows')
          .addColumn('page_id', 'text', (c) => c.notNull().references('pages.id').onDelete('cascade'))
          .addColumn('user_id', 'text', (c) => c.notNull())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('state', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('follows_pk', ['page_id', 'user_id'])
          .execute();
        await db.schema.createIndex('follows_state').on('follows').columns(['page_id', 'state']).execute();

        await db.schema
          .createTable('journal_entries')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('page_id', 'text', (c) => c.notNull().references('pages.id').onDelete('cascade'))
          .addColumn('seq', 'integer', (c) => c.notNull())
          .addColumn('client_id', 'text', (c) => c.notNull())
          .addColumn('author_id', 'text', (c) => c.notNull())
          .addColumn('author_name', 'text', (c) => c.notNull())
          .addColumn('title', 'text', (c) => c.notNull())
          .addColumn('body', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('edited_at', 'text')
          .addUniqueConstraint('journal_idempotency', ['page_id', 'author_id', 'client_id'])
          .execute();
        await db.schema.createIndex('journal_page_seq').on('journal_entries').columns(['page_id', 'seq']).execute();

        await db.schema
          .createTable('wall_messages')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('page_id', 'text', (c) => c.notNull().references('pages.id').onDelete('cascade'))
          .addColumn('seq', 'integer', (c) => c.notNull())
          .addColumn('client_id', 'text', (c) => c.notNull())
          .addColumn('author_id', 'text', (c) => c.notNull())
          .addColumn('author_name', 'text', (c) => c.notNull())
          .addColumn('body', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('hidden', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('pending', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('hearts', 'integer', (c) => c.notNull().defaultTo(0))
          .addUniqueConstraint('wall_idempotency', ['page_id', 'author_id', 'client_id'])
          .execute();
        await db.schema.createIndex('wall_page_seq').on('wall_messages').columns(['page_id', 'seq']).execute();

        await db.schema
          .createTable('hearts')
          .addColumn('page_id', 'text', (c) => c.notNull().references('pages.id').onDelete('cascade'))
          .addColumn('message_id', 'text', (c) => c.notNull().references('wall_messages.id').onDelete('cascade'))
          .addColumn('user_id', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('hearts_pk', ['message_id', 'user_id'])
          .execute();
        await db.schema.createIndex('hearts_page_user').on('hearts').columns(['page_id', 'user_id']).execute();

        await db.schema
          .createTable('changes')
          .addColumn('page_id', 'text', (c) => c.notNull().references('pages.id').onDelete('cascade'))
          .addColumn('seq', 'integer', (c) => c.notNull())
          .addColumn('type', 'text', (c) => c.notNull())
          .addColumn('item_id', 'text')
          .addColumn('data', 'text')
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('changes_pk', ['page_id', 'seq'])
          .execute();

        // The audit log deliberately has no foreign key: it outlives a purged page.
        await db.schema
          .createTable('audit_log')
          .addColumn('id', dialect === 'postgres' ? 'bigserial' : 'integer', (c) =>
            dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
          )
          .addColumn('at', 'text', (c) => c.notNull())
          .addColumn('page_id', 'text', (c) => c.notNull())
          .addColumn('actor_id', 'text')
          .addColumn('actor_role', 'text', (c) => c.notNull())
          .addColumn('action', 'text', (c) => c.notNull())
          .addColumn('target', 'text')
          .addColumn('detail', 'text')
          .addColumn('ip', 'text')
          .execute();
        await db.schema.createIndex('audit_page').on('audit_log').columns(['page_id', 'id']).execute();

        // Append-only in the database itself: no UPDATE or DELETE can succeed, whatever the code does.
        if (dialect === 'sqlite') {
          await sql`CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END`.execute(db);
          await sql`CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END`.execute(db);
        } else {
          await sql`CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$`.execute(db);
          await sql`CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()`.execute(db);
          await sql`CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()`.execute(db);
        }
      },
    },
    '002_deleted_posts': {
      // Which (author, clientId) posts were deleted, without their content: a late retry of a
      // deleted post must not bring it back. Goes with its page (cascade) like everything else.
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('deleted_posts')
          .addColumn('page_id', 'text', (c) => c.notNull().references('pages.id').onDelete('cascade'))
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('author_id', 'text', (c) => c.notNull())
          .addColumn('client_id', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('deleted_posts_pk', ['page_id', 'kind', 'author_id', 'client_id'])
          .execute();
      },
    },
    '003_webhook_outbox': {
      // Notifications waiting for the webhook receiver: they survive a crash or restart, and
      // several nodes share them (a node claims a row for a lease before sending it). Times
      // are ISO 8601 UTC strings, which compare correctly as text in both dialects.
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('webhook_outbox')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('type', 'text', (c) => c.notNull())
          .addColumn('body', 'text', (c) => c.notNull())
          .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('due_at', 'text', (c) => c.notNull())
          .addColumn('claimed_until', 'text')
          .execute();
        await db.schema.createIndex('webhook_outbox_due').on('webhook_outbox').columns(['due_at']).execute();
      },
    },
    '004_page_lifetime': {
      // A page id can be used again after its page was deleted (a hospital reuses a bed's or a
      // patient's slug); the audit trail must not follow the id to the next patient. Every
      // page gets an internal lifetime id that is never reused, and every audit row names the
      // lifetime it belongs to. Rows written before this migration are attributed to the
      // current page of their id only when written since that page was created; older rows
      // (an earlier page of the same id) keep no lifetime and show in no page's trail, only in
      // the admin's whole-log export.
      async up(db: Kysely<unknown>) {
        await db.schema.alterTable('pages').addColumn('uid', 'text').execute();
        await db.schema.alterTable('audit_log').addColumn('page_uid', 'text').execute();
        const fresh = dialect === 'postgres' ? sql`md5(random()::text || clock_timestamp()::text || id)` : sql`lower(hex(randomblob(16)))`;
        await sql`UPDATE pages SET uid = ${fresh}`.execute(db);
        await db.schema.createIndex('pages_uid').on('pages').column('uid').unique().execute();
        // The append-only triggers refuse this one backfill; they are put back right after it.
        const backfill = sql`UPDATE audit_log SET page_uid = (SELECT p.uid FROM pages p WHERE p.id = audit_log.page_id AND audit_log.at >= p.created_at)`;
        if (dialect === 'sqlite') {
          await sql`DROP TRIGGER audit_log_no_update`.execute(db);
          await backfill.execute(db);
          await sql`CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END`.execute(db);
        } else {
          await sql`ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change`.execute(db);
          await backfill.execute(db);
          await sql`ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_change`.execute(db);
        }
        await db.schema.createIndex('audit_lifetime').on('audit_log').columns(['page_uid', 'id']).execute();
      },
    },
    '005_settings': {
      // SPEC 6.1. Invitations: the code is kept in clear because the owner's panel lists it
      // (a hash could not be shown again); `id` names it in the audit log, which never holds
      // a code. How often each person asked to follow (`follow_asks`), kept apart from
      // `follows` because a withdrawn request deletes its follow row but still counts. A
      // member's display name, learnt when they join by invitation (the admin API's member
      // lists carry ids only).
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('invites')
          .addColumn('code', 'text', (c) => c.primaryKey())
          .addColumn('id', 'text', (c) => c.notNull().unique())
          .addColumn('page_id', 'text', (c) => c.notNull().references('pages.id').onDelete('cascade'))
          .addColumn('role', 'text', (c) => c.notNull())
          .addColumn('expires_at', 'text', (c) => c.notNull())
          .addColumn('max_uses', 'integer', (c) => c.notNull())
          .addColumn('uses', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('created_by', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('revoked_at', 'text')
          .execute();
        await db.schema.createIndex('invites_page').on('invites').columns(['page_id', 'created_at']).execute();
        await db.schema
          .createTable('follow_asks')
          .addColumn('page_id', 'text', (c) => c.notNull().references('pages.id').onDelete('cascade'))
          .addColumn('user_id', 'text', (c) => c.notNull())
          .addColumn('asked', 'integer', (c) => c.notNull().defaultTo(0))
          .addPrimaryKeyConstraint('follow_asks_pk', ['page_id', 'user_id'])
          .execute();
        await db.schema.alterTable('page_members').addColumn('name', 'text').execute();
      },
    },
    '006_notify': {
      // SPEC 6.2. Choices per (page, person), going with the page; addresses and push
      // subscriptions per person. And the one job queue every notification goes through
      // (causes and deliveries; see schema.ts JobsTable); `webhook_outbox` moves into it.
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('notify_prefs')
          .addColumn('page_id', 'text', (c) => c.notNull().references('pages.id').onDelete('cascade'))
          .addColumn('user_id', 'text', (c) => c.notNull())
          .addColumn('email', 'text', (c) => c.notNull().defaultTo('off'))
          .addColumn('push', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('requests', 'text', (c) => c.notNull().defaultTo('off'))
          .addColumn('messages', 'text', (c) => c.notNull().defaultTo('off'))
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('notify_prefs_pk', ['page_id', 'user_id'])
          .execute();
        await db.schema.createIndex('notify_prefs_user').on('notify_prefs').columns(['user_id']).execute();
        await db.schema
          .createTable('notify_users')
          .addColumn('user_id', 'text', (c) => c.primaryKey())
          .addColumn('email', 'text')
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('push_subscriptions')
          .addColumn('endpoint', 'text', (c) => c.primaryKey())
          .addColumn('user_id', 'text', (c) => c.notNull())
          .addColumn('p256dh', 'text', (c) => c.notNull())
          .addColumn('auth', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('push_subscriptions_user').on('push_subscriptions').columns(['user_id']).execute();
        await db.schema
          .createTable('jobs')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('key', 'text', (c) => c.notNull().unique())
          .addColumn('page_id', 'text')
          .addColumn('recipient', 'text')
          .addColumn('payload', 'text', (c) => c.notNull())
          .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('state', 'text', (c) => c.notNull().defaultTo('queued'))
          .addColumn('due_at', 'text', (c) => c.notNull())
          .addColumn('claimed_until', 'text')
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('finished_at', 'text')
          .execute();
        await db.schema.createIndex('jobs_due').on('jobs').columns(['state', 'due_at']).execute();
        await db.schema.createIndex('jobs_page').on('jobs').columns(['page_id']).execute();
        await db.schema.createIndex('jobs_recipient').on('jobs').columns(['recipient', 'finished_at']).execute();
      },
    },
    '007_jobs_from_webhook_outbox': {
      // The webhook's queue joins the one job queue: what waits in `webhook_outbox` moves into
      // `jobs` as `webhook` jobs (same id, so `X-Care-Delivery` stays the same on the next
      // attempt; key = the id; page from the body, so a page's purge finds them; leases
      // released), then the old table goes. (`WHERE true`: SQLite's parser needs it before
      // an upsert's ON CONFLICT in an INSERT … SELECT.)
      async up(db: Kysely<unknown>) {
        const pageOf = dialect === 'postgres' ? sql`(body::json ->> 'pageId')` : sql`json_extract(body, '$.pageId')`;
        await sql`
          INSERT INTO jobs (id, kind, key, page_id, recipient, payload, attempts, state, due_at, claimed_until, created_at, finished_at)
          SELECT id, 'webhook', id, ${pageOf}, NULL, body, attempts, 'queued', due_at, NULL, due_at, NULL FROM webhook_outbox WHERE true
          ON CONFLICT (key) DO NOTHING`.execute(db);
        await db.schema.dropTable('webhook_outbox').execute();
      },
    },
    '008_journal_social': {
      // SPEC 6.3: hearts and comments on journal entries. Comments follow the wall's rules, so
      // they have the wall's columns (hidden, pending, an idempotency key per author) plus the
      // entry they answer; they and the hearts go with their entry and their page. The entry
      // keeps its heart count (as wall messages do) and whether its author closed comments.
      async up(db: Kysely<unknown>) {
        await db.schema.alterTable('journal_entries').addColumn('hearts', 'integer', (c) => c.notNull().defaultTo(0)).execute();
        await db.schema.alterTable('journal_entries').addColumn('comments_open', 'integer', (c) => c.notNull().defaultTo(1)).execute();
        await db.schema
          .createTable('journal_comments')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('page_id', 'text', (c) => c.notNull().references('pages.id').onDelete('cascade'))
          .addColumn('entry_id', 'text', (c) => c.notNull().references('journal_entries.id').onDelete('cascade'))
          .addColumn('seq', 'integer', (c) => c.notNull())
          .addColumn('client_id', 'text', (c) => c.notNull())
          .addColumn('author_id', 'text', (c) => c.notNull())
          .addColumn('author_name', 'text', (c) => c.notNull())
          .addColumn('body', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('hidden', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('pending', 'integer', (c) => c.notNull().defaultTo(0))
          .addUniqueConstraint('journal_comments_idempotency', ['page_id', 'author_id', 'client_id'])
          .execute();
        await db.schema.createIndex('journal_comments_entry_seq').on('journal_comments').columns(['entry_id', 'seq']).execute();
        await db.schema.createIndex('journal_comments_page').on('journal_comments').columns(['page_id', 'seq']).execute();
        await db.schema
          .createTable('journal_hearts')
          .addColumn('page_id', 'text', (c) => c.notNull().references('pages.id').onDelete('cascade'))
          .addColumn('entry_id', 'text', (c) => c.notNull().references('journal_entries.id').onDelete('cascade'))
          .addColumn('user_id', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('journal_hearts_pk', ['entry_id', 'user_id'])
          .execute();
        await db.schema.createIndex('journal_hearts_page_user').on('journal_hearts').columns(['page_id', 'user_id']).execute();
      },
    },
    '009_media': {
      // SPEC 6.3 photos: which page and entry each belongs to, and (by default) the bytes.
      // See media/schema.ts.
      async up(db: Kysely<unknown>) {
        await createMediaTables(db, dialect);
      },
    },
    '010_planner': {
      // SPEC 6.4: the planner's tasks and who signed up. A cancelled task keeps its row (with
      // the family's note) so a catch-up can still tell its volunteers why, and a retried
      // `task:create` finds it; reads of the planner skip it. Tasks of one `task:create` share
      // its `client_id`, one row per occurrence (numbered from 0): a retry answers them all.
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('tasks')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('page_id', 'text', (c) => c.notNull().references('pages.id').onDelete('cascade'))
          .addColumn('seq', 'integer', (c) => c.notNull())
          .addColumn('client_id', 'text', (c) => c.notNull())
          .addColumn('occurrence', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('series_id', 'text')
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('title', 'text', (c) => c.notNull())
          .addColumn('date', 'text', (c) => c.notNull())
          .addColumn('start_time', 'text')
          .addColumn('end_time', 'text')
          .addColumn('slots', 'integer', (c) => c.notNull())
          .addColumn('details', 'text', (c) => c.notNull().defaultTo(''))
          .addColumn('created_by_id', 'text', (c) => c.notNull())
          .addColumn('created_by_name', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .addColumn('cancelled_at', 'text')
          .addColumn('cancel_note', 'text')
          .addUniqueConstraint('tasks_idempotency', ['page_id', 'created_by_id', 'client_id', 'occurrence'])
          .execute();
        await db.schema.createIndex('tasks_page_date').on('tasks').columns(['page_id', 'date']).execute();
        await db.schema.createIndex('tasks_page_seq').on('tasks').columns(['page_id', 'seq']).execute();
        // The reminders of one day, across pages.
        await db.schema.createIndex('tasks_date').on('tasks').columns(['date']).execute();
        await db.schema
          .createTable('task_volunteers')
          .addColumn('task_id', 'text', (c) => c.notNull().references('tasks.id').onDelete('cascade'))
          .addColumn('page_id', 'text', (c) => c.notNull().references('pages.id').onDelete('cascade'))
          .addColumn('user_id', 'text', (c) => c.notNull())
          .addColumn('user_name', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('task_volunteers_pk', ['task_id', 'user_id'])
          .execute();
        await db.schema.createIndex('task_volunteers_page_user').on('task_volunteers').columns(['page_id', 'user_id']).execute();
        // SPEC 6.4 reminders: on until the volunteer turns them off (`notify:set {reminders}`).
        await db.schema.alterTable('notify_prefs').addColumn('reminders', 'integer', (c) => c.notNull().defaultTo(1)).execute();
      },
    },
  };
}
