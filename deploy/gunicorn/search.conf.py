"""gunicorn settings for national search (its API, the national HSDS API and the public site):

    gunicorn -c deploy/gunicorn/search.conf.py 'services.search:create_app()'

The settings of ``nettungen search serve``, from shared/serve.py: the
WEB_* keys, default port 8020.
"""

from shared import serve

globals().update(serve.gunicorn_settings("search"))  # gunicorn reads a config file's globals
