"""Every table of the node database, for Alembic and for tests: the registry's own and the
publication contract's."""

from __future__ import annotations

from sqlalchemy import MetaData

from services.registry.accounts import models as accounts
from services.registry.audit import models as audit
from services.registry.base import Base
from services.registry.coordination import models as coordination
from services.registry.duties import models as duties
from services.registry.mail import models as mail
from services.registry.offers import models as offers
from services.registry.organisations import models as organisations
from services.registry.sso import models as sso
from shared.publication.models import PublicationBase

MODEL_MODULES = (accounts, audit, coordination, duties, mail, offers, organisations, sso)
METADATA: list[MetaData] = [Base.metadata, PublicationBase.metadata]
