declare module "modbus-serial/utils/crc16.js" {
  /** CRC-16/MODBUS of the bytes, as the frame's last two bytes carry it (little-endian). */
  export default function crc16(data: Buffer): number;
}
