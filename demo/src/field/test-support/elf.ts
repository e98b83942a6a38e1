import { closeSync, openSync, readSync } from "node:fs";

const MACHINES: Record<number, string> = { 62: "x86-64", 183: "aarch64", 40: "arm", 3: "x86" };

/** The architecture an ELF file is built for, from its header (e_machine), or why it is not ELF. */
export function elfMachine(path: string): string {
  const header = Buffer.alloc(20);
  const fd = openSync(path, "r");
  try {
    readSync(fd, header, 0, header.length, 0);
  } finally {
    closeSync(fd);
  }
  if (header.readUInt32BE(0) !== 0x7f454c46) return "not ELF";
  if (header[4] !== 2) return "not a 64-bit ELF";
  const machine = header[5] === 1 ? header.readUInt16LE(18) : header.readUInt16BE(18);
  return MACHINES[machine] ?? `machine 0x${machine.toString(16)}`;
}
