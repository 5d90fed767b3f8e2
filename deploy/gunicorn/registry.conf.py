"""gunicorn settings for the registry (a node's write side and internal app):

    gunicorn -c deploy/gunicorn/registry.conf.py 'services.registry:create_app()'

The settings of ``nettungen registry serve``, from shared/serve.py: the
WEB_* keys, default port 8010.
"""

from shared import serve

globals().update(serve.gunicorn_settings("registry"))  # gunicorn reads a config file's globals
