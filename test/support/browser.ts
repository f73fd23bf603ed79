import { Browser, chromium } from 'playwright-core';

/**
 * Debian's Chromium (`chromium` in .ci/apt-packages), headless, with nothing reaching out to the network
 * by itself (this machine's network is closed, and a test must only talk to 127.0.0.1).
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}
