// page.mjs: drives Debian's chromium (headless, through playwright-core)
// against a running wharfd for t/83-http-page.bats. Prints one
// "key: value" line per observation; the bats file judges them.
//
// usage: node page.mjs URL UPLOAD_FILE SCREENSHOT_PNG PROFILE_DIR
//   URL          a writable directory listing, ending in '/'
//   UPLOAD_FILE  a local file to upload through the page's file input
//   SCREENSHOT   where to save a PNG of the page after the uploads
//   PROFILE_DIR  a fresh, empty --user-data-dir
import { createRequire } from "module";

// playwright-core from WHARF_NODE_MODULES when set (make distcheck runs
// from a tarball without node_modules), else from beside this script.
const require = createRequire(import.meta.url);
const { chromium } = require(process.env.WHARF_NODE_MODULES ?
    process.env.WHARF_NODE_MODULES + "/playwright-core" : "playwright-core");

const [url, uploadFile, screenshot, profile] = process.argv.slice(2);
if (!profile) {
	console.error("usage: node page.mjs URL UPLOAD_FILE SCREENSHOT PROFILE");
	process.exit(2);
}

const names = async (page) => page.$$eval("#listing tbody tr td.n a",
    (as) => as.map((a) => a.textContent));

const context = await chromium.launchPersistentContext(profile, {
	executablePath: "/usr/bin/chromium",
	headless: true,
	args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
	    "--no-first-run", "--disable-background-networking",
	    "--disable-component-update", "--disable-sync"],
	viewport: { width: 900, height: 700 },
	timeout: 30000,
});
let failed = false;
try {
	const page = context.pages()[0] || await context.newPage();
	page.setDefaultTimeout(15000);
	page.on("pageerror", (e) => {
		console.log("pageerror: " + e.message);
		failed = true;
	});
	page.on("dialog", (d) => d.accept());

	const resp = await page.goto(url);
	console.log("status: " + resp.status());
	await page.waitForSelector("#listing tbody tr");
	console.log("title: " + await page.title());
	console.log("rows: " + JSON.stringify(await names(page)));
	console.log("css: " + await page.$eval("body",
	    (b) => getComputedStyle(b).maxWidth));

	// Sort by size: folders first, then smallest to largest; again: reverse.
	await page.click("th.s button");
	console.log("by-size: " + JSON.stringify(await names(page)));
	await page.click("th.s button");
	console.log("by-size-desc: " + JSON.stringify(await names(page)));
	console.log("aria-sort: " + await page.$eval("th.s",
	    (th) => th.getAttribute("aria-sort")));
	await page.click("th.n button");
	console.log("by-name: " + JSON.stringify(await names(page)));

	// Upload through the form's file input (JS turns it into a PUT).
	const base = uploadFile.split("/").pop();
	await page.setInputFiles("form.upload input[type=file]", uploadFile);
	await page.click("form.upload button[type=submit]");
	await page.waitForSelector("#uploads li .ok, #uploads li .bad");
	console.log("upload-result: " + await page.$eval("#uploads li",
	    (li) => li.textContent));
	await page.waitForFunction((n) => Array.from(document.querySelectorAll(
	    "#listing td.n a")).some((a) => a.textContent === n), base);
	console.log("after-upload: " + JSON.stringify(await names(page)));

	// A drop of a file made in the page, as a drag from the desktop would.
	await page.evaluate(() => {
		const bytes = new Uint8Array(3000);
		for (let i = 0; i < bytes.length; i++)
			bytes[i] = (i * 7) & 255;
		const dt = new DataTransfer();
		dt.items.add(new File([bytes], "dropped.bin",
		    { type: "application/octet-stream" }));
		for (const type of ["dragenter", "dragover", "drop"])
			document.body.dispatchEvent(new DragEvent(type,
			    { bubbles: true, cancelable: true,
			    dataTransfer: dt }));
	});
	await page.waitForFunction(() => Array.from(document.querySelectorAll(
	    "#listing td.n a")).some((a) => a.textContent === "dropped.bin"));
	console.log("after-drop: " + JSON.stringify(await names(page)));
	console.log("uploads: " + JSON.stringify(await page.$$eval(
	    "#uploads li", (lis) => lis.map((li) => li.textContent))));

	// Narrow, as on a phone: the Modified column gives way.
	await page.screenshot({ path: screenshot, fullPage: true });
	console.log("screenshot: " + screenshot);
	await page.setViewportSize({ width: 375, height: 700 });
	console.log("phone-modified-visible: " + await page.$eval("th.m",
	    (th) => getComputedStyle(th).display !== "none"));
	console.log("phone-overflow: " + await page.evaluate(() =>
	    document.documentElement.scrollWidth > window.innerWidth));
} catch (e) {
	console.log("error: " + (e && e.message ? e.message : e));
	failed = true;
} finally {
	await context.close();
}
process.exit(failed ? 1 : 0);
