"""How devices are named on /me."""

from __future__ import annotations

import pytest

from grassroots import i18n
from grassroots.accounts.labels import device_label

CHROME_ANDROID = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/130.0 Mobile Safari/537.36"
)
WECHAT_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Mobile/15E148 MicroMessenger/8.0.47"
)
EDGE_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/130.0 Safari/537.36 Edg/130.0"
)


@pytest.mark.parametrize(
    ("agent", "label"),
    [
        (CHROME_ANDROID, "Chrome · Android"),
        (WECHAT_IPHONE, "WeChat · iPhone"),
        (EDGE_WINDOWS, "Edge · Windows"),
        ("curl/8.0", None),
    ],
)
def test_device_label(agent: str, label: str | None) -> None:
    i18n.set_locale("zh_CN")
    assert device_label(agent) == (label or "未知浏览器")
