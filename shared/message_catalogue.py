"""The English template of every message a service gives, by its stable code.

A code names what happened (``offer.awaiting_review``), never how it is worded: the wording
may change here, and every translation (``shared/translations``) still finds its message.
Templates take ``%(name)s`` parameters. The ``field.*``, ``validate.*`` and ``schema.*``
templates are marshmallow's own messages, word for word (``shared.validation`` gives them
their codes); the rest are ours. A data table, so longer than a module of code.
"""

from __future__ import annotations

MARSHMALLOW = {
    "field.required": "Missing data for required field.",
    "field.null": "Field may not be null.",
    "field.validator_failed": "Invalid value.",
    "field.nested.type": "Invalid type.",
    "field.list.invalid": "Not a valid list.",
    "field.tuple.invalid": "Not a valid tuple.",
    "field.string.invalid": "Not a valid string.",
    "field.string.invalid_utf8": "Not a valid utf-8 string.",
    "field.uuid.invalid_uuid": "Not a valid UUID.",
    "field.number.invalid": "Not a valid number.",
    "field.number.too_large": "Number too large.",
    "field.integer.invalid": "Not a valid integer.",
    "field.float.special": "Special numeric values (nan or infinity) are not permitted.",
    "field.decimal.special": "Special numeric values (nan or infinity) are not permitted.",
    "field.boolean.invalid": "Not a valid boolean.",
    "field.temporalfield.invalid": "Not a valid %(obj_type)s.",
    "field.temporalfield.invalid_awareness": "Not a valid %(awareness)s %(obj_type)s.",
    "field.temporalfield.format": '"%(input)s" cannot be formatted as a %(obj_type)s.',
    "field.date.invalid": "Not a valid date.",
    "field.date.format": '"%(input)s" cannot be formatted as a date.',
    "field.timedelta.invalid": "Not a valid period of time.",
    "field.timedelta.format": "%(input)r cannot be formatted as a timedelta.",
    "field.mapping.invalid": "Not a valid mapping type.",
    "field.url.invalid": "Not a valid URL.",
    "field.email.invalid": "Not a valid email address.",
    "field.ip.invalid_ip": "Not a valid IP address.",
    "field.ipv4.invalid_ip": "Not a valid IPv4 address.",
    "field.ipv6.invalid_ip": "Not a valid IPv6 address.",
    "field.ipinterface.invalid_ip_interface": "Not a valid IP interface.",
    "field.ipv4interface.invalid_ip_interface": "Not a valid IPv4 interface.",
    "field.ipv6interface.invalid_ip_interface": "Not a valid IPv6 interface.",
    "field.enum.unknown": "Must be one of: %(choices)s.",
    "validate.url": "Not a valid URL.",
    "validate.email": "Not a valid email address.",
    "validate.range.min": "Must be %(min_op)s %(min)s.",
    "validate.range.max": "Must be %(max_op)s %(max)s.",
    "validate.range.all": "Must be %(min_op)s %(min)s and %(max_op)s %(max)s.",
    "validate.length.min": "Shorter than minimum length %(min)s.",
    "validate.length.max": "Longer than maximum length %(max)s.",
    "validate.length.all": "Length must be between %(min)s and %(max)s.",
    "validate.length.equal": "Length must be %(equal)s.",
    "validate.equal": "Must be equal to %(other)s.",
    "validate.regexp": "String does not match expected pattern.",
    "validate.predicate": "Invalid input.",
    "validate.noneof": "Invalid input.",
    "validate.oneof": "Must be one of: %(choices)s.",
    "validate.containsonly": "One or more of the choices you made was not in: %(choices)s.",
    "validate.containsnoneof": "One or more of the choices you made was in: %(values)s.",
    "schema.type": "Invalid input type.",
    "schema.unknown": "Unknown field.",
}

# Field-level messages of our own schemas and services.
FIELDS = {
    "value.repeated": "The same value is given more than once.",
    "value.already_in_use": "Already in use.",
    "vocab.unknown_code": "Not a known %(vocabulary)s code. Use one of: %(choices)s.",
    "area.unknown": (
        "Unknown area code %(code)r. Use a municipality number (4 digits), a county number "
        "(2 digits), a region code, or NO for the whole country."
    ),
    "area.unknown_any": (
        "Unknown area: use a municipality number (4 digits), a county number (2 digits), "
        "a region code, or NO for the whole country."
    ),
    "area.not_of_kind": "Not a %(kind)s number of the current classification.",
    "area.bad_form": "Not an area code.",
    "sso.provider_url": (
        "An HTTPS address (HTTP only on this machine), without a query or fragment."
    ),
    "sso.scope_openid": "The scopes must include openid.",
    "orgnr.not_nine_digits": "An organisation number has exactly nine digits.",
    "orgnr.bad_first_digit": "An organisation number starts with 8 or 9.",
    "orgnr.bad_check_digit": "The check digit does not match (modulus 11).",
    "orgnr.not_normalised": "Write the organisation number as nine digits, no spaces.",
    "orgnr.invalid": "Not an organisation number (nine digits with a valid check digit).",
    "orgnr.nine_digits": "An organisation number has nine digits.",
    "orgnr.invalid_in_list": "%(number)s: %(reason)s",
    "point.half": "Give both the latitude and the longitude, or neither.",
    "point.form": "A point is written latitude,longitude in degrees, e.g. 59.7441,10.2045.",
    "point.out_of_range": "The latitude is from -90 to 90 and the longitude from -180 to 180.",
    "point.radius": "The radius is more than 0 and at most %(most)s km.",
    "point.radius_without_near": "A radius needs a point to measure from (near).",
    "point.outside_norway": (
        "This point is outside Norway. Check the latitude and longitude (not swapped?)."
    ),
    "place.outside_coverage": (
        "This place lies in %(municipality)s, outside every area the offer covers. Check the "
        "coverage and the address (saved all the same)."
    ),
    "age.range_reversed": "The lowest age (%(low)s) is above the highest age (%(high)s).",
    "review.in_future": "The last review cannot be in the future.",
    "date.in_future": "The date is in the future.",
    "date.too_early": "The date is before %(earliest)s.",
    "dates.end_before_start": "The end is before the start.",
    "labels.bokmaal_missing": "Give at least the bokmål text (nb).",
    "labels.unknown_languages": "Languages are nb, nn and en; not %(languages)s.",
    "report.scope_either": "Give either an area or an organisation.",
    "report.too_many_to_compare": "Too many offers to compare for overlaps.",
    "search.too_deep": "Results are paged up to the first %(depth)s; narrow the search.",
    "search.bad_cursor": (
        "The cursor is not one this search gave (or it is damaged, or a page was given with "
        "it); start again from the first page."
    ),
    "paging.too_many_per_page": "At most %(largest)s items per page.",
    "hsds.time_out_of_range": "A time from year 1 to year 9999 in UTC.",
    "hsds.minimal_or_full": "Ask for minimal or full services, not both.",
    "hsds.no_proximity": (
        "proximity is HSDS's distance in metres from a postcode's centroid, and we hold no "
        "postcode centroids: use near=latitude,longitude and radius (km)."
    ),
    "document.not_json": "Not JSON: %(reason)s",
    "document.not_object": "An offer version is a JSON object.",
    "duty.not_in_catalogue": "Not in the catalogue (or retired): %(codes)s",
    "agency.not_in_organisation": "No such agency in the organisation.",
    "agency.not_here": "No such agency here.",
    "agency.not_here_list": "No such agency here: %(ids)s",
    "agency.inside_itself": "An agency cannot be inside itself.",
    "agency.still_used": "%(offers)s offers and %(sections)s sections belong to it.",
    "offer.allowed_from": "Allowed from: %(statuses)s.",
    "offer.no_public_version": "The offer has no public version.",
    "offer.comment_required": "A comment is required when sending back.",
    "offer.choose_own": "Choose offers of your organisation.",
    "contact.personal_email": (
        "This looks like a person's own e-mail address. Give a shared mailbox of the desk or "
        "function instead, such as post@ or helsestasjon@."
    ),
    "contact.personal_name": (
        "This looks like a person's name. Give the desk or function instead, such as "
        '"Helsestasjonen, vakttelefon".'
    ),
    "contact.personal_mobile": (
        "A mobile number beside a person's name looks like that person's own phone. Give the "
        "number of the desk or function instead."
    ),
    "contact.only_mobile": (
        "A mobile number is the only way to get in touch: it is likely someone's own phone, "
        "and nobody answers when they are away. Add the desk's phone, a shared e-mail, a web "
        "page or a place with opening hours."
    ),
    "workspace.unknown_questions": "%(keys)s",
    "organisation.home_area_expected": "A %(kind)s has %(expected)s as its home area.",
    "organisation.already_registered": "Already registered.",
    "password.min_length": "Use at least %(min)s characters.",
    "member.registrar_agencies": "Choose the agencies the registrar registers offers for.",
    "member.name_required": "Give the person's name.",
    "password.existing_kept": "Only the user can change an existing password.",
    "token.not_a_member": "The user is not a member of this organisation.",
    "node.id_form": "Lower-case letters, digits and hyphens, at most 63 characters.",
    "node.base_url_form": "must be an http:// or https:// URL",
    "node.base_url_https": "must be an https:// URL (http:// only on this machine, with the "
    "flag for it)",
    "node.transport_one_of": "One of %(transports)s.",
    "node.name_required": "Give the node a name.",
    "node.key_required": "A node needs at least one public key.",
    "node.too_many_keys": "At most %(largest)s keys per node.",
    "node.jwks_without_keys": "The node's JWKS lists no usable key.",
    "bulk.yes_or_no": "Write Ja or Nei (Yes or No).",
    "bulk.choose_from_list": "Choose a value from the list.",
    "bulk.timetable_cell": "Write days and times as: tue 18:00-20:00; fri 22:00-02:00.",
    "bulk.dates_cell": "Write dates and times as: 2026-09-01 18:00-20:00; 2026-09-08 18:00-20:00.",
    "password.max_length": "Use at most %(max)s characters.",
    "password.common": "This is one of the most common passwords; choose another.",
    "password.current_incorrect": "The current password is wrong.",
    "password.same_as_old": "Choose a password other than the current one.",
    "invitation.open_exists": (
        "An invitation to this address is already waiting; send it again or withdraw it."
    ),
}

# Whole-request refusals: the message of a DomainError.
REFUSALS = {
    "login.required": "Log in to continue.",
    "login.required_or_token": "Log in, or send an API token.",
    "login.throttled": "Too many failed logins. Wait a while and try again.",
    "token.header_form": "Use the header 'Authorization: Bearer <token>'.",
    "token.invalid": "The API token is invalid, expired or revoked.",
    "token.not_by_token": "API tokens cannot create other tokens; log in to do this.",
    "token.only_own": "You can only create tokens for yourself.",
    "token.revoke_not_by_token": "API tokens cannot revoke tokens; log in to do this.",
    "token.not_found": "Token not found.",
    "token.user_not_member": "Not a member.",
    "role.not_allowed_here": "Your roles in the organisation do not allow this.",
    "role.admin_required": "This needs the administrator role in the organisation.",
    "role.required": "This needs the %(role)s role in the organisation.",
    "role.not_registrar_for_agency": "You are not a registrar for this agency.",
    "role.node_admin_for_organisations": "Only node administrators can add member organisations.",
    "role.node_admin_for_membership": "Only node administrators change membership status.",
    "role.node_admin_for_duties": "Only node administrators edit the statutory-duty catalogue.",
    "role.node_admin_for_users": "Only node administrators manage the node's users.",
    "user.cannot_deactivate_self": "You cannot deactivate yourself.",
    "role.node_admin_for_node_admins": "Only a node administrator can make node administrators.",
    "role.node_admin_for_passwords": (
        "Only node administrators set passwords for others; the person sets their own."
    ),
    "password.only_own": "You can only change your own password.",
    "password.too_short": "The password is too short.",
    "role.node_admin_for_sso": "Only node administrators configure identity providers.",
    "sso.provider_not_found": "Identity provider not found.",
    "sso.domain_not_found": "Domain not found.",
    "sso.provider_id_taken": "An identity provider with this short name exists.",
    "sso.domain_taken": "The organisation already accepts this domain through this provider.",
    "sso.provider_removed": (
        "This identity provider has been removed from the node; log in another way or ask the "
        "node administrators."
    ),
    "sso.provider_unreachable": "The identity provider could not be reached. Try again later.",
    "sso.discovery_issuer": (
        "The identity provider names another issuer than the one configured; the node "
        "administrators must check its settings."
    ),
    "sso.secret_missing": (
        "The secret of this identity provider is not where its settings say; the node "
        "administrators must check them."
    ),
    "sso.state_mismatch": (
        "This answer from the identity provider does not belong to a login begun in this browser."
        " Start the login again."
    ),
    "sso.provider_refused": "The identity provider did not log you in (%(error)s).",
    "sso.code_refused": "The identity provider refused to complete the login. Start it again.",
    "sso.token_invalid": (
        "The identity provider's answer is not validly signed or lacks what it must hold."
    ),
    "sso.token_issuer": (
        "The identity provider's answer comes from another issuer than the one configured."
    ),
    "sso.token_audience": "The identity provider's answer was issued for another application.",
    "sso.token_expired": "The identity provider's answer has expired. Start the login again.",
    "sso.token_nonce": (
        "The identity provider's answer belongs to another login. Start the login again."
    ),
    "sso.acr_too_low": (
        "The login at the identity provider did not reach the required security level."
    ),
    "sso.email_not_verified": (
        "The identity provider gave no verified e-mail address, so you cannot be matched to a "
        "membership."
    ),
    "sso.domain_not_accepted": (
        "No organisation accepts logins from your e-mail domain through this identity provider."
    ),
    "sso.not_invited": (
        "You are not a member of an organisation that accepts this login, nor invited to one. Ask"
        " its administrators for an invitation."
    ),
    "sso.account_bound_elsewhere": (
        "The account with this e-mail address is bound to another identity at this provider; this"
        " one cannot open it."
    ),
    "sso.account_inactive": "The account is deactivated.",
    "not_found": "%(what)s not found.",
    "page.not_found": "No such page.",
    "user.not_found": "User not found.",
    "user.email_taken": "A user with this e-mail address exists.",
    "user.exists": "The user exists.",
    "user.name_required": "A new user needs a name.",
    "member.not_found": "Member not found.",
    "user.already_erased": "The user is erased already.",
    "user.erase_node_admin": "A node administrator is not erased.",
    "user.erase_still_member": (
        "The user is still a member of an organisation: its administrators remove them first."
    ),
    "member.already": "The user is already a member; change the membership instead.",
    "member.self_admin_removal": "You cannot remove your own administrator role.",
    "member.self_removal": "You cannot remove yourself from the organisation.",
    "member.invite_instead": (
        "Only node administrators add members at once; invite the person instead."
    ),
    "member.registrar_needs_agencies": "A registrar needs agencies.",
    "organisation.not_found": "Organisation not found.",
    "organisation.home_area_mismatch": "The home area does not fit the kind of organisation.",
    "organisation.already_member": "The organisation is already a member of this node.",
    "agency.not_found": "Agency not found.",
    "agency.unknown": "Unknown agency.",
    "agency.name_taken": "An agency with this name exists.",
    "agency.circular": "Circular agencies.",
    "agency.not_empty": "The agency still has offers or sections; move them first.",
    "duty.not_found": "Statutory duty not found.",
    "duty.code_taken": "The code is taken.",
    "duty.unknown": "Unknown statutory duty.",
    "offer.not_found": "Offer not found.",
    "offer.version_not_found": "Version not found.",
    "offer.not_publishable": "The offer cannot be published as it is; correct these fields first.",
    "offer.unreachable": (
        "A published offer needs a way to get in touch: a phone, an e-mail or a web address, "
        "a place with opening hours, or a reason why there is none."
    ),
    "timetable.bad_time": "Give a time as HH:MM, from 00:00 to 23:59.",
    "timetable.validity_reversed": "The last day is before the first.",
    "timetable.date_out_of_range": "Give a date from %(min)s to %(max)s.",
    "timetable.too_many_rows": "Give at most %(max)s rows.",
    "offer.age_range_reversed": "The age range is reversed.",
    "offer.awaiting_review": "The offer is waiting for review. Recall it before you edit it.",
    "offer.publisher_is_submitter": (
        "You submitted this offer, and your organisation requires another person to publish it."
    ),
    "offer.published_not_deleted": "A published offer is never deleted; withdraw it instead.",
    "offer.wrong_status": "Cannot %(action)s an offer that is %(status)s.",
    "offer.nothing_to_submit": "Nothing to submit: the draft equals the published version.",
    "offer.comment_missing": "Say what needs fixing.",
    "offer.only_published_withdrawn": "Only a published offer can be withdrawn.",
    "offer.never_published": "The offer has never been published: no version holds its contact.",
    "offer.unknown": "Unknown offer.",
    "offer.not_on_node": "There is no offer with this id on this node.",
    "offer.withdrawn": "This offer has been withdrawn and is no longer offered.",
    "offer.not_published_now": "No offer with the id %(id)r is published now.",
    "workspace.readers_only_follow": (
        "Readers follow the coordination group's work but do not change it."
    ),
    "workspace.not_found": "Workspace not found.",
    "workspace.exists": "The coordination group already has a workspace.",
    "workspace.item_not_found": "Not found in the workspace.",
    "workspace.method_points_stay": (
        "The method's own points stay on the checklist; untick them instead."
    ),
    "workspace.step_not_found": "No such step.",
    "workspace.unknown_question": "Unknown question.",
    "vocabulary.not_found": "Vocabulary not found.",
    "area.not_found": "Area not found.",
    "vocabulary.no_such_id": "There is no vocabulary with this id.",
    "vocabulary.no_such_concept": "There is no such concept in this vocabulary.",
    "area.no_such_code": "There is no area with this code.",
    "ldes.page_out_of_range": "The stream has pages 1 to %(count)s.",
    "ldes.no_such_version": "No such offer version.",
    "hsds.no_service": "No published service has the id %(id)r.",
    "hsds.no_organization": "No organization with published services has the id %(id)r.",
    "hsds.no_taxonomy": "No taxonomy has the id %(id)r.",
    "hsds.no_taxonomy_term": "No taxonomy term has the id %(id)r.",
    "hsds.no_location": "No location of a published service has the id %(id)r.",
    "hsds.no_service_at_location": "No published service at a location has the id %(id)r.",
    "report.not_found": "No such report.",
    "report.no_table": "The %(kind)s report has no table %(table)r.",
    "report.organisation_unpublished": (
        "No offer of the organisation %(number)s has been published."
    ),
    "report.too_many_offers": (
        "More than %(limit)s offers to compare; choose a smaller area or an organisation."
    ),
    "key.exists": "The node already has an active key; rotate it instead.",
    "key.missing": "The node has no active key yet; generate one first.",
    "key.wrong_passphrase": (
        "The node's signing key cannot be opened with the configured SIGNING_KEY_PASSPHRASE."
    ),
    "key.none_to_sign": (
        "This node has no signing key yet, so it cannot publish. "
        "The operator creates one with 'nettungen registry key generate'."
    ),
    "node.invalid_id": "Invalid node id.",
    "node.invalid_base_url": "Invalid base URL.",
    "node.invalid_transport": "Invalid transport.",
    "node.invalid_organisations": "Invalid organisation numbers.",
    "node.invalid_name": "Invalid name.",
    "node.no_keys": "No keys.",
    "node.too_many_keys_given": "Too many keys.",
    "node.not_found": "No node %(id)r in the directory.",
    "node.id_taken": "The directory already has a node %(id)r.",
    "node.url_taken": "The directory already has a node at %(url)s.",
    "node.invalid_organisation_kind": "Invalid kind of organisation.",
    "node.organisation_not_granted": (
        "Node %(id)r does not speak for organisation %(number)s (grant it first)."
    ),
    "node.key_not_found": "Node %(id)r has no key %(key)r (read its JWKS with refresh-keys).",
    "node.key_already_trusted": "Key %(key)r of node %(id)r is trusted already.",
    "node.has_applied_offers": (
        "Offers from node %(id)r have been applied here; disable it instead "
        "(its offers then stay as they are until the node is enabled again)."
    ),
    "password.too_long": "The password is too long.",
    "password.too_common": "The password is too common.",
    "password.current_wrong": "The current password is wrong.",
    "password.unchanged": "The new password is the same as the current one.",
    "link.invalid": (
        "This link cannot be used: it has been used, has expired or is withdrawn. "
        "Ask for a new one."
    ),
    "invitation.already_open": "An invitation to this address is already waiting.",
    "invitation.not_found": "Invitation not found.",
    "invitation.log_in_to_accept": (
        "This address already has an account: log in to accept the invitation."
    ),
    "invitation.other_address": "The invitation is for another e-mail address.",
    "second_factor.code_wrong": (
        "The code is wrong or has been used. Type the code your app shows now, or a recovery code."
    ),
    "second_factor.already_enrolled": (
        "A second factor is already set up; remove it first to set up a new one."
    ),
    "second_factor.no_enrolment": "No second factor is being set up or set up for this account.",
    "second_factor.reset_node_admin": (
        "Only a node administrator can reset a node administrator's second factor."
    ),
    "second_factor.none_to_reset": "This member has no second factor to reset.",
    "second_factor.required": (
        "You must log in with a second factor and cannot remove it; set up a new one instead."
    ),
    "session.not_found": "Session not found.",
}

# What the web layer itself answers, whatever the service.
REQUESTS: dict[str, str] = {
    "request.internal_error": "An internal error occurred; nothing was changed.",
    "request.unstorable_value": "The request holds a value that cannot be stored.",
    "request.conflict": "The change conflicts with existing data; nothing was changed.",
    "request.statement_timeout": (
        "The request took longer than the service allows; nothing was changed. Narrow it (a "
        "municipality, a filter, fewer words) or try again later."
    ),
    "request.nul_in_address": "NUL characters are not allowed in the address.",
    "request.nul_in_body": "NUL characters are not allowed in the request body.",
    "request.bad_query": (
        "The address holds a parameter this operation does not know or a value it cannot use; "
        "see errors.query."
    ),
}

MESSAGES: dict[str, str] = {**MARSHMALLOW, **FIELDS, **REFUSALS, **REQUESTS}
