/**
 * `denyUser` (admins): the user is refused everything from now on.
 *
 * @module
 */
import type { Actor } from "../../domain/identity.js";
import type { UserView } from "../api.js";
import type { CoreServices } from "../services.js";
import { setUserStatus } from "../user-status.js";

/** Denies `userId`, refusing them everything. */
export function denyUser(services: CoreServices, actor: Actor, userId: string): Promise<UserView> {
  return setUserStatus(services, actor, userId, "denyUser");
}
