// Search from disk in Debian's firefox-esr, driven over WebDriver BiDi by puppeteer-core (which
// downloads nothing: it starts the browser it is given). Called by tests/browser/test_firefox.py
// with a built site's folder; prints what it saw as JSON.
"use strict";
const path = require("path");
const { pathToFileURL } = require("url");
const puppeteer = require("puppeteer-core");

async function main() {
  const [site, executable] = process.argv.slice(2);
  const url = (name) => pathToFileURL(path.join(site, name)).href;
  const browser = await puppeteer.launch({
    browser: "firefox",
    executablePath: executable,
    headless: true,
    protocolTimeout: 60000,
  });
  const seen = { errors: [] };
  try {
    const page = await browser.newPage();
    page.on("pageerror", (error) => seen.errors.push(String(error)));
    await page.setViewport({ width: 1000, height: 700 });
    await page.goto(url("about.html"));
    await page.type("[data-search-box]", "callamard");
    await page.waitForSelector("[data-search-results] .search-result", { timeout: 20000 });
    seen.panel = await page.$$eval("[data-search-results] .search-result", (items) =>
      items.map((li) => ({
        title: li.querySelector(".search-title").textContent,
        marks: [...li.querySelectorAll(".search-snippet mark")].map((m) => m.textContent),
      }))
    );
    await page.goto(url("search.html") + "#q=%22crimes%20against%20humanity%22");
    await page.waitForFunction(() => document.querySelector("[data-search-status]").textContent !== "");
    seen.phrase = await page.$$eval("[data-search-page] .search-snippet mark", (marks) => marks.map((m) => m.textContent));
    await page.goto(url("search.html") + "#q=%E5%85%AC%E7%9B%8A");
    await page.waitForFunction(() => document.querySelector("[data-search-status]").textContent !== "");
    seen.chinese = await page.$$eval("[data-search-page] .search-snippet mark", (marks) => marks.map((m) => m.textContent));
    await page.goto(url("about.html"));
    await page.type("[data-search-box]", "callamard");
    await page.waitForSelector("[data-search-results] .search-result", { timeout: 20000 });
    const first = await page.$eval("[data-search-results] .search-title", (a) => a.getAttribute("href"));
    await page.goto(url(first.split("?")[0]) + "?q=callamard");
    await page.waitForSelector("[data-verbatim] mark", { timeout: 20000 });
    seen.document = await page.evaluate(() => {
      const marks = [...document.querySelectorAll("[data-verbatim] mark")];
      const box = marks[0].getBoundingClientRect();
      return {
        page: location.pathname.split("/").pop(),
        text: document.querySelector("[data-verbatim]").textContent,
        marks: marks.map((m) => m.textContent),
        inView: box.top >= 0 && box.bottom <= innerHeight,
        scrolled: scrollY > 0,
      };
    });
  } finally {
    await browser.close();
  }
  process.stdout.write(JSON.stringify(seen));
}

main().catch((error) => {
  process.stderr.write(String(error && error.stack ? error.stack : error) + "\n");
  process.exit(1);
});
