"""gunicorn settings for national reporting (report pages, the JSON API, exports):

    gunicorn -c deploy/gunicorn/reporting.conf.py 'services.reporting:create_app()'

The settings of ``nettungen reporting serve``, from shared/serve.py: the
WEB_* keys, default port 8030.
"""

from shared import serve

globals().update(serve.gunicorn_settings("reporting"))  # gunicorn reads a config file's globals
