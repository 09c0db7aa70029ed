"""The Redis visibility timeout (how soon a killed worker's task goes to another worker) is configurable."""

from reader.envparse import broker_settings


def test_visibility_timeout_default_and_override(tmp_path):
    assert broker_settings("redis://r:6379/0", "", tmp_path)[1]["visibility_timeout"] == 3600
    assert broker_settings("redis://r:6379/0", "", tmp_path, 30)[1]["visibility_timeout"] == 30
    url, options = broker_settings("", "", tmp_path, 30)
    assert url == "filesystem://" and "visibility_timeout" not in options
