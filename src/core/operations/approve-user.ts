/**
 * `approveUser` (admins): a pending or denied user becomes active.
 *
 * @module
 */
import type { Actor } from "../../domain/identity.js";
import type { UserView } from "../api.js";
import type { CoreServices } from "../services.js";
import { setUserStatus } from "../user-status.js";

/** Approves `userId`, making them active. */
export function approveUser(services: CoreServices, actor: Actor, userId: string): Promise<UserView> {
  return setUserStatus(services, actor, userId, "approveUser");
}
