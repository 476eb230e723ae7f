/** Debian's Chromium through puppeteer-core: no browser download, a fresh profile each launch. */
import puppeteer, { type Browser } from 'puppeteer-core';
import { tempDir } from './temp-dir.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** Closing the browser also removes its profile (once Chromium has exited and stopped writing to it). */
export async function launchChromium(): Promise<Browser> {
  const profile = tempDir('taliq-chromium-');
  const browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, userDataDir: profile.path })
    .catch((e) => { profile.remove(); throw e; });
  const close = browser.close.bind(browser);
  browser.close = async () => {
    try {
      await close();
    } finally {
      profile.remove();
    }
  };
  return browser;
}
