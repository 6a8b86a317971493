/**
 * The one place where failures become words for people in a conversation (chat replies,
 * Telegram's buttons, commands and progress messages). Every `VoxnixError` kind gets a short,
 * plain sentence; anything else (a bug, a library error) becomes a generic apology, so raw
 * stderr, stack traces and host details never reach a chat. The CLI words errors for an
 * operator instead (`adapters/cli/render.ts`: message, hint, details).
 *
 * @module
 */
import { VoxnixError, type AnyVoxnixError } from "../domain/errors.js";

/** Turns any thrown value into one or two plain sentences for the person who asked. */
export function explainError(error: unknown): string {
  if (!VoxnixError.isInstance(error)) {
    return "Something went wrong on my side. Nothing was changed by this message; please try again.";
  }
  return explainVoxnixError(error);
}

/** The message for a classified error; exhaustive over `kind`, so a new kind fails to compile until worded here. */
export function explainVoxnixError(error: AnyVoxnixError): string {
  switch (error.kind) {
    case "invalid-input": {
      const messages = error.issues.map((issue) => issue.message).filter((message) => message.length > 0);
      return messages.length > 0
        ? `I can't do that as asked: ${messages.join(" ")}`
        : "I can't do that as asked: the request is not valid.";
    }
    case "not-found":
      if (error.what === "workload") return `You have no container called "${error.id}". Say "list" to see yours.`;
      if (error.what === "confirmation")
        return "That confirmation has expired, was already used or isn't yours. Ask again if you still want it.";
      if (error.what === "snapshot")
        return `There is nothing to restore for "${error.id}": no snapshot is kept (the undo window may have passed).`;
      return capitalise(error.message);
    case "conflict":
      switch (error.reason) {
        case "name-taken":
          return `${error.message} Pick another name.`;
        case "busy":
          return `${error.message} Please try again once it has finished.`;
        case "plan-changed":
          return "The container changed since you were asked to confirm, so nothing was destroyed. Ask again to see the new plan.";
        case "wrong-state":
        case "key-taken":
          return error.message;
      }
      break;
    case "quota":
      return `${error.message} Remove something you no longer need, or ask an admin for a bigger limit.`;
    case "forbidden":
      switch (error.reason) {
        case "pending":
          return "Your account is waiting for an admin's approval. I'll be able to help once you're approved.";
        case "denied":
          return "An admin has not allowed this account to use voxnix.";
        case "admin-only":
          return "Only an admin can do that.";
      }
      break;
    case "host-failure":
      // `message` is written for people by the core; `detail` (stderr) stays in the logs.
      return `The host could not do that: ${lowerFirst(error.message)} Nothing else was changed.`;
    case "timeout":
      return `That took too long and was stopped: ${lowerFirst(error.message)} Please try again in a moment.`;
  }
  return "You are not allowed to do that.";
}

function capitalise(text: string): string {
  return text.length > 0 ? text[0]!.toUpperCase() + text.slice(1) : text;
}

function lowerFirst(text: string): string {
  if (text.length < 2) return text;
  // Keep acronyms and names ("NixOS", "ZFS") as written.
  return text[1] === text[1]!.toUpperCase() ? text : text[0]!.toLowerCase() + text.slice(1);
}
