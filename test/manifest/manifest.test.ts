import { readFileSync } from "node:fs";
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { SHORTCUT_ID } from "../../src/slack/blocks/ids.ts";

const manifest = parse(readFileSync("manifest.yml", "utf8"));
const schema = JSON.parse(
  readFileSync(`vendor/slack/manifest.schema.${manifest._metadata.major_version}.0.0.json`, "utf8"),
);

describe("manifest.yml", () => {
  it("is valid against Slack's own manifest schema", () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    const validate = ajv.compile(schema);
    const ok = validate(manifest);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it("has /apikeys escaped, interactivity and the Home tab", () => {
    const cmd = manifest.features.slash_commands.find(
      (c: { command: string }) => c.command === "/apikeys",
    );
    expect(cmd.should_escape).toBe(true);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(manifest.features.app_home.home_tab_enabled).toBe(true);
  });

  it("has the message shortcut Report leaked key and the global shortcut Request API access", () => {
    const shortcuts = manifest.features.shortcuts.map(
      (s: { type: string; callback_id: string; name: string }) => [s.type, s.callback_id, s.name],
    );
    expect(shortcuts).toEqual([
      ["message", SHORTCUT_ID.reportLeak, "Report leaked key"],
      ["global", SHORTCUT_ID.requestAccess, "Request API access"],
    ]);
  });

  it("asks for the scopes the app uses and no more", () => {
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual(
      [
        "channels:history",
        "chat:write",
        "commands",
        "files:write",
        "groups:history",
        "im:history",
        "im:write",
        "users:read",
        "usergroups:read",
      ].sort(),
    );
    // Exactly the message events leak detection needs, plus the Home tab.
    expect(manifest.settings.event_subscriptions.bot_events.sort()).toEqual(
      ["app_home_opened", "message.channels", "message.groups"].sort(),
    );
  });
});
