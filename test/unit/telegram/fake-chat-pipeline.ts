/**
 * A small stand-in for the chat pipeline, used by the Telegram tests while (or where) the real
 * `createChatPipeline` is not available. It understands a handful of commands and phrases and
 * calls the real core with the actor it is given, exactly as the pipeline contract says.
 *
 * @module
 */
import type { ChatPipeline, ChatReply, PendingConfirmation } from "../../../src/agent/pipeline-api.js";
import type { Core } from "../../../src/core/api.js";
import { NeedsConfirmationError, VoxnixError } from "../../../src/domain/errors.js";
import type { Actor, UserId } from "../../../src/domain/identity.js";

/** The fake pipeline. `messages` records what it was asked, per user. */
export class FakeChatPipeline implements ChatPipeline {
  readonly messages: { userId: UserId; text: string }[] = [];
  private readonly pending = new Map<UserId, PendingConfirmation>();

  constructor(private readonly core: Core) {}

  async handle(actor: Actor, text: string): Promise<ChatReply> {
    this.messages.push({ userId: actor.userId, text });
    const words = text.trim().replace(/^\//, "").split(/\s+/);
    const [verb = "", name = "", ...rest] = words;
    try {
      switch (verb.toLowerCase()) {
        case "new":
        case "create": {
          const job = await this.core.create(actor, { name, modules: rest.filter((word) => word !== "with" && word !== "and") });
          return this.reply(`Creating ${name}…`, { job });
        }
        case "list": {
          const { workloads } = await this.core.list(actor);
          return this.reply(workloads.length === 0 ? "You have no containers." : workloads.map((workload) => `${workload.name} (${workload.live}) — ${workload.spec.modules.join(", ") || "no modules"}; ${workload.addresses.join(", ") || "no address"}`).join("\n"));
        }
        case "status": {
          const details = await this.core.show(actor, name);
          return this.reply(`${details.name} is ${details.live}.`);
        }
        case "stop": {
          const view = await this.core.stop(actor, name);
          return this.reply(`${view.name} stopped.`);
        }
        case "destroy":
          await this.core.destroy(actor, name);
          return this.reply("unreachable");
        case "yes": {
          const pending = this.pending.get(actor.userId);
          if (!pending) return this.reply("There is nothing to confirm.");
          return await this.confirm(actor, pending.token);
        }
        case "echo":
          return this.reply(words.slice(1).join(" "));
        default:
          return this.reply("I did not understand that.");
      }
    } catch (error) {
      if (error instanceof NeedsConfirmationError) {
        const confirmation = { token: error.token, plan: error.plan, expiresAt: error.expiresAt };
        this.pending.set(actor.userId, confirmation);
        return this.reply(`Destroy ${error.plan.workload}? Say yes to confirm.`, { confirmation });
      }
      if (VoxnixError.isInstance(error)) return this.reply(error.message);
      throw error;
    }
  }

  async confirm(actor: Actor, token: string): Promise<ChatReply> {
    try {
      const job = await this.core.confirm(actor, token);
      this.pending.delete(actor.userId);
      return this.reply("Destroying…", { job });
    } catch (error) {
      if (VoxnixError.isInstance(error)) return this.reply(error.message);
      throw error;
    }
  }

  async cancel(actor: Actor, _token: string): Promise<ChatReply> {
    this.pending.delete(actor.userId);
    return this.reply("Cancelled; nothing was destroyed.");
  }

  async reset(actor: Actor): Promise<void> {
    this.pending.delete(actor.userId);
  }

  private reply(text: string, extra: Partial<ChatReply> = {}): ChatReply {
    return { text, engine: "offline", operations: [], ...extra };
  }
}
