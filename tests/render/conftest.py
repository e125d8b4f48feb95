"""Fixtures for the renderer's tests."""
import shutil

import pytest

from render_helpers import CHROMIUM_FLAGS, build_sigmoid_neuron, chromium_binary


@pytest.fixture
def neuron():
    """A fresh CS231n sigmoid neuron (f = 0.73)."""
    return build_sigmoid_neuron()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """Headless Chromium driven by selenium, one per test module (the player pages' tests)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium_binary()
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    driver_path = shutil.which("chromedriver")
    assert driver_path, "chromedriver is not installed: run scripts/setup.sh --dev"
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    try:
        yield driver
    finally:
        driver.quit()
