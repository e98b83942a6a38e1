#!/usr/bin/env -S node --max-semi-space-size=1 --max-old-space-size=64
import { main } from "./cli/main.js";

process.exit(await main(process.argv.slice(2)));
