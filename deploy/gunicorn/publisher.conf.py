"""gunicorn settings for the publisher (a node's open feeds: LDES, catalog, offers, HSDS):

    gunicorn -c deploy/gunicorn/publisher.conf.py 'services.publisher:create_app()'

The settings of ``nettungen publisher serve``, from shared/serve.py: the
WEB_* keys, default port 8011.
"""

from shared import serve

globals().update(serve.gunicorn_settings("publisher"))  # gunicorn reads a config file's globals
