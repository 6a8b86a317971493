/**
 * Every CLI command module, in the order `voxnix --help` lists them. A new command family is
 * one file in this folder exporting `register`, plus one line here.
 *
 * @module
 */
import type { RegisterCommand } from "../context.js";
import * as chat from "./chat.js";
import * as ctlExec from "./ctl-exec.js";
import * as images from "./images.js";
import * as say from "./say.js";
import * as setup from "./setup.js";
import * as telegram from "./telegram.js";

/** The command modules, registered in this order. */
export const COMMAND_MODULES: readonly { readonly register: RegisterCommand }[] = [setup, chat, say, telegram, ctlExec, images];
