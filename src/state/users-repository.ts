/**
 * Users: identity, role, approval status and per-user limits.
 *
 * @module
 */
import type { Role, User, UserId, UserLimits, UserStatus } from "../domain/identity.js";
import type { VoxnixDatabase } from "./database.js";

interface UserRow {
  id: string;
  role: Role;
  status: UserStatus;
  limits_json: string;
  display_name: string | null;
  created_at: number;
  approved_by: string | null;
}

/** A stored user plus who approved them. */
export interface StoredUser extends User {
  readonly approvedBy?: UserId;
}

/** Reads and writes the `users` table. */
export interface UsersRepository {
  get(id: UserId): StoredUser | undefined;
  insert(user: User): void;
  update(
    id: UserId,
    changes: { role?: Role; status?: UserStatus; limits?: UserLimits; displayName?: string; approvedBy?: UserId },
  ): void;
  list(): readonly StoredUser[];
}

/**
 * Creates the users repository over `db`, with statements prepared once. `defaultLimits` fills
 * limits recorded before they existed (a user stored before pids budgets gets the configured one).
 */
export function createUsersRepository(db: VoxnixDatabase, defaultLimits?: UserLimits): UsersRepository {
  const toUser = (row: UserRow): StoredUser => toStoredUser(row, defaultLimits);
  const select = db.sqlite.prepare<[string], UserRow>("SELECT * FROM users WHERE id = ?");
  const selectAll = db.sqlite.prepare<[], UserRow>("SELECT * FROM users ORDER BY created_at, id");
  const insert = db.sqlite.prepare(
    "INSERT INTO users (id, role, status, limits_json, display_name, created_at) VALUES (@id, @role, @status, @limits, @displayName, @createdAt)",
  );
  return {
    get: (id) => {
      const row = select.get(id);
      return row ? toUser(row) : undefined;
    },
    insert: (user) => {
      insert.run({
        id: user.id,
        role: user.role,
        status: user.status,
        limits: JSON.stringify(user.limits),
        displayName: user.displayName ?? null,
        createdAt: user.createdAt.getTime(),
      });
    },
    update: (id, changes) => {
      const sets: string[] = [];
      const values: Record<string, unknown> = { id };
      const columns: [keyof typeof changes, string, unknown][] = [
        ["role", "role", changes.role],
        ["status", "status", changes.status],
        ["limits", "limits_json", changes.limits === undefined ? undefined : JSON.stringify(changes.limits)],
        ["displayName", "display_name", changes.displayName],
        ["approvedBy", "approved_by", changes.approvedBy],
      ];
      for (const [key, column, value] of columns) {
        if (value === undefined) continue;
        sets.push(`${column} = @${key}`);
        values[key] = value;
      }
      if (sets.length === 0) return;
      db.sqlite.prepare(`UPDATE users SET ${sets.join(", ")} WHERE id = @id`).run(values);
    },
    list: () => selectAll.all().map(toUser),
  };
}

function toStoredUser(row: UserRow, defaultLimits: UserLimits | undefined): StoredUser {
  return {
    id: row.id as UserId,
    role: row.role,
    status: row.status,
    limits: { ...defaultLimits, ...(JSON.parse(row.limits_json) as UserLimits) },
    ...(row.display_name === null ? {} : { displayName: row.display_name }),
    createdAt: new Date(row.created_at),
    ...(row.approved_by === null ? {} : { approvedBy: row.approved_by as UserId }),
  };
}
