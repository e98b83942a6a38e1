import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../../..");
const FLASH = join(ROOT, "hardware/flash/lotwatch-flash");
const run = promisify(execFile);
const SECTOR = 512;
const BOOT_START = 2048;
// 264 MiB FAT32 (Raspberry Pi OS has 512 MiB): mtools cannot add folders to a FAT32 with fewer
// clusters than the format's minimum. The image files are sparse, so this costs little disk.
const BOOT_SECTORS = 540_000;
const MARKER = Buffer.from("lotwatch-rootfs-marker: the flash must not touch the root partition\n");

/** A Raspberry-Pi-like image: MBR with a FAT32 (type c) boot partition and a Linux root partition. */
async function makeImage(
  dir: string,
  { name, fat: bits, sectors }: { name: string; fat: 16 | 32; sectors: number },
): Promise<{ image: string; rootOffset: number }> {
  const image = join(dir, name);
  const rootStart = BOOT_START + sectors;
  await run("truncate", ["-s", `${(rootStart + 8192) * SECTOR}`, image]);
  const table = `label: dos\nstart=${BOOT_START}, size=${sectors}, type=${bits === 32 ? "c" : "e"}\nstart=${rootStart}, type=83\n`;
  await new Promise<void>((done, fail) => {
    const child = execFile("sfdisk", ["--quiet", image], (error) => (error ? fail(error) : done()));
    child.stdin?.end(table);
  });
  // mkfs.vfat on its own file, then into place: no loop device and no root needed.
  const fat = join(dir, `${name}.fat`);
  await run("mkfs.vfat", ["-F", String(bits), "-n", "BOOTFS", "-C", fat, String((sectors * SECTOR) / 1024)]);
  await run("dd", [
    `if=${fat}`,
    `of=${image}`,
    `bs=${SECTOR}`,
    `seek=${BOOT_START}`,
    "conv=notrunc,sparse",
    "status=none",
  ]);
  const handle = await open(image, "r+");
  await handle.write(MARKER, 0, MARKER.length, rootStart * SECTOR);
  await handle.close();
  return { image, rootOffset: rootStart * SECTOR };
}

async function readBack(target: string, path: string): Promise<string> {
  const { stdout } = await run("mtype", ["-i", `${target}@@${BOOT_START * SECTOR}`, `::${path}`], {
    env: { ...process.env, MTOOLS_SKIP_CHECK: "1" },
  });
  return stdout;
}

// Image files of ~270 MB (sparse) are written and read back: give a busy machine time.
const SLOW = { timeout: 120_000 };

describe("lotwatch-flash", () => {
  let dir: string;
  let image: string;
  let rootOffset: number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "lotwatch-flash-"));
    ({ image, rootOffset } = await makeImage(dir, { name: "synthetic.img", fat: 32, sectors: BOOT_SECTORS }));
    writeFileSync(join(dir, "password"), "s3cret-from-add-gateway\n");
    // A real certificate, so the agent's TLS check of the injected CA can pass.
    await run("openssl", [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-keyout",
      join(dir, "ca.key"),
      "-out",
      join(dir, "ca.pem"),
      "-days",
      "1",
      "-subj",
      "/CN=lotwatch-test-ca",
    ]);
  }, SLOW.timeout);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(
    "writes an image file and puts the gateway's identity and TLS files on its FAT boot partition",
    async () => {
      const target = join(dir, "gateway.img");
      const { stdout } = await run(FLASH, [
        "--image",
        image,
        "--target",
        target,
        "--gateway-id",
        "gw-north-1",
        "--site",
        "mall-a",
        "--broker",
        "mqtts://broker.example:8883",
        "--password-file",
        join(dir, "password"),
        "--ca",
        join(dir, "ca.pem"),
      ]);
      expect(stdout).toContain(`boot partition at byte ${BOOT_START * SECTOR}`);

      expect(await readBack(target, "/lotwatch/gateway.env")).toBe(
        [
          "# lotwatch gateway identity, read once by firstboot.sh and then removed from this partition.",
          "LOTWATCH_GATEWAY__ID=gw-north-1",
          "LOTWATCH_GATEWAY__SITE=mall-a",
          "LOTWATCH_BROKER__URL=mqtts://broker.example:8883",
          "LOTWATCH_BROKER__USERNAME=gw-north-1",
          "LOTWATCH_BROKER__PASSWORD=s3cret-from-add-gateway",
          "",
        ].join("\n"),
      );
      expect(await readBack(target, "/lotwatch/tls/ca.pem")).toBe(readFileSync(join(dir, "ca.pem"), "utf8"));
      const userData = await readBack(target, "/user-data");
      expect(userData.startsWith("#cloud-config\n")).toBe(true);
      expect(userData).toMatch(/^hostname: lotwatch-gw-north-1$/m);
      expect(await readBack(target, "/meta-data")).toBe(
        "instance-id: lotwatch-gw-north-1\nlocal-hostname: lotwatch-gw-north-1\n",
      );
      expect(await readBack(target, "/lotwatch/firstboot.sh")).toBe(
        readFileSync(join(ROOT, "hardware/cloud-init/lotwatch-firstboot.sh"), "utf8"),
      );

      // The partition table and the root partition are the image's, byte for byte.
      expect(statSync(target).size).toBe(statSync(image).size);
      // Buffer.equals, not toEqual: a deep comparison of megabytes element by element takes minutes.
      expect(
        (await bytes(target, 0, BOOT_START * SECTOR)).equals(await bytes(image, 0, BOOT_START * SECTOR)),
      ).toBe(true);
      const rootBytes = statSync(image).size - rootOffset;
      expect(
        (await bytes(target, rootOffset, rootBytes)).equals(await bytes(image, rootOffset, rootBytes)),
      ).toBe(true);
      expect((await bytes(target, rootOffset, MARKER.length)).equals(MARKER)).toBe(true);
      // The file system is still sound after the writes.
      const { stdout: check } = await run("fsck.vfat", ["-n", await extractBoot(target)]);
      expect(check).toMatch(/\d+ files, \d+\/\d+ clusters/);
    },
    SLOW.timeout,
  );

  it(
    "on first boot turns the injected identity into an agent config the agent accepts, and removes the secret",
    async () => {
      const target = join(dir, "gateway.img");
      const fake = join(dir, "firstboot-root");
      const boot = join(fake, "boot/firmware/lotwatch");
      mkdirSync(join(boot, "tls"), { recursive: true });
      for (const file of ["gateway.env", "tls/ca.pem"])
        writeFileSync(join(boot, file), await readBack(target, `/lotwatch/${file}`));

      const { stdout } = await run("sh", [join(ROOT, "hardware/cloud-init/lotwatch-firstboot.sh")], {
        env: { ...process.env, LOTWATCH_FIRSTBOOT_ROOT: fake },
      });
      expect(stdout).toContain("gateway gw-north-1 at site mall-a configured");
      expect(readFileSync(join(fake, "etc/lotwatch/agent.env"), "utf8")).toBe(
        "LOTWATCH_BROKER__PASSWORD=s3cret-from-add-gateway\n",
      );
      expect(() => readFileSync(join(boot, "gateway.env"))).toThrow(/ENOENT/);

      // The agent reads the config as systemd would start it: the file plus agent.env; TLS paths moved under the scratch root.
      const config = readFileSync(join(fake, "etc/lotwatch/agent.yaml"), "utf8").replaceAll(
        "/etc/lotwatch/",
        `${fake}/etc/lotwatch/`,
      );
      writeFileSync(join(fake, "agent.yaml"), config);
      const result = await run(
        process.execPath,
        [join(ROOT, "edge-agent/dist/cli.js"), "check-config", join(fake, "agent.yaml")],
        {
          env: { ...process.env, LOTWATCH_BROKER__PASSWORD: "s3cret-from-add-gateway" },
        },
      ).catch((error: { stdout: string; stderr: string }) => error);
      // The fake CA is not a certificate: the agent's TLS check says so, which proves it read the injected file.
      expect(`${result.stdout}${result.stderr}`).toMatch(/ca/i);
      expect(config).toMatch(/^gateway: \{ id: gw-north-1, site: mall-a \}$/m);
    },
    SLOW.timeout,
  );

  it(
    "takes an xz-compressed image (as Raspberry Pi OS ships) and a FAT16 boot partition",
    async () => {
      const small = await makeImage(dir, { name: "small.img", fat: 16, sectors: 65_536 });
      await run("xz", ["-0", "-T1", small.image]);
      const target = join(dir, "small-gateway.img");
      await run(FLASH, [
        "--image",
        `${small.image}.xz`,
        "--target",
        target,
        "--gateway-id",
        "gw_south.2",
        "--site",
        "campus",
        "--broker",
        "mqtt://10.0.0.5:1883",
      ]);
      const env = await readBack(target, "/lotwatch/gateway.env");
      expect(env).toContain("LOTWATCH_GATEWAY__ID=gw_south.2\nLOTWATCH_GATEWAY__SITE=campus\n");
      expect(env).not.toContain("PASSWORD");
      expect(await readBack(target, "/meta-data")).toContain("local-hostname: lotwatch-gw-south-2\n");
      expect((await bytes(target, small.rootOffset, MARKER.length)).equals(MARKER)).toBe(true);
    },
    SLOW.timeout,
  );

  it("refuses to overwrite an existing file without --yes and checks the identity before writing anything", async () => {
    const target = join(dir, "gateway.img");
    const before = statSync(target).mtimeMs;
    const base = ["--image", image, "--site", "mall-a", "--broker", "mqtts://b.example:8883"];
    const exists = await run(FLASH, [...base, "--target", target, "--gateway-id", "gw-2"]).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(exists).toMatchObject({ code: 2 });
    expect((exists as { stderr: string }).stderr).toContain("pass --yes to overwrite it");
    const badId = await run(FLASH, [...base, "--target", join(dir, "new.img"), "--gateway-id", "gw 2"]).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect((badId as { stderr: string }).stderr).toContain(
      '--gateway-id must be 1-64 of [A-Za-z0-9_.-], got "gw 2"',
    );
    expect(statSync(target).mtimeMs).toBe(before);
  });

  async function bytes(file: string, position: number, length: number): Promise<Buffer> {
    const handle = await open(file, "r");
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, position);
    await handle.close();
    return buffer;
  }

  /** The boot partition as its own file, for fsck.vfat. */
  async function extractBoot(target: string): Promise<string> {
    const out = join(dir, "boot-check.fat");
    await run("dd", [
      `if=${target}`,
      `of=${out}`,
      `bs=${SECTOR}`,
      `skip=${BOOT_START}`,
      `count=${BOOT_SECTORS}`,
      "conv=sparse",
      "status=none",
    ]);
    return out;
  }
});
