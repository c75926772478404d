"""Helpers for the site tests: a headless Chromium driven by Selenium, and form posts with requests."""
import html
import os
import re
import shutil

import requests
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

ARTIFACTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "artifacts")


def chromium():
    """A headless Chromium (Debian `chromium` + `chromium-driver`)."""
    options = Options()
    for argument in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,1000"]:
        options.add_argument(argument)
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    if binary:
        options.binary_location = binary
    driver_path = shutil.which("chromedriver")
    service = Service(executable_path=driver_path) if driver_path else Service()
    driver = webdriver.Chrome(options=options, service=service)
    driver.set_page_load_timeout(30)
    return driver


def fill(driver, values):
    """Sets form inputs by name: text, textarea, select (by value) and checkbox (bool)."""
    for name, value in values.items():
        element = driver.find_element(By.NAME, name)
        if element.tag_name == "select":
            Select(element).select_by_value(value)
        elif element.get_attribute("type") == "checkbox":
            if element.is_selected() != bool(value):
                element.click()
        else:
            element.clear()
            element.send_keys(value)


def submit(driver, button="form.edit button.primary"):
    """Clicks a form's primary button (`form.edit`'s unless another selector is given) and waits
    for the next page."""
    click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, button))


def click_and_wait(driver, element):
    """Clicks `element` and waits until the next page has replaced this one."""
    old = driver.find_element(By.TAG_NAME, "html")
    element.click()
    WebDriverWait(driver, 20).until(lambda d: gone(old))


def gone(element):
    """Whether `element` belongs to a page the browser has left."""
    try:
        element.tag_name
        return False
    except Exception:  # noqa: BLE001 - the old page is gone
        return True


def screenshot(driver, name):
    os.makedirs(ARTIFACTS, exist_ok=True)
    path = os.path.join(ARTIFACTS, name + ".png")
    height = driver.execute_script("return Math.min(document.body.scrollHeight, 2400)")
    driver.set_window_size(1280, max(800, height))
    driver.save_screenshot(path)
    driver.set_window_size(1280, 1000)
    return path


class FormClient:
    """Posts forms the way a browser does (cookie + token from the form page), to see status codes."""

    def __init__(self, base):
        self.base = base
        self.session = requests.Session()

    def form(self, path):
        response = self.session.get(self.base + path)
        response.raise_for_status()
        page = response.text
        fields = {}
        for match in re.finditer(r'<input type="(text|number|hidden|checkbox)"[^>]*?name="([^"]+)"[^>]*?value="([^"]*)"([^>]*)>', page):
            kind, name, value, rest = match.groups()
            if kind == "checkbox" and "checked" not in rest:
                continue
            fields[name] = html.unescape(value)
        for match in re.finditer(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', page, re.S):
            fields[match.group(1)] = html.unescape(match.group(2))
        for match in re.finditer(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
            selected = re.search(r'<option value="([^"]*)" selected', match.group(2))
            fields[match.group(1)] = html.unescape(selected.group(1)) if selected else ""
        return fields

    def post(self, path, fields):
        return self.session.post(self.base + path, data=fields, allow_redirects=False)
