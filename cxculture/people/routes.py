"""HR manages people (department, roles, active) and departments (rename, move, heads, merge,
archive)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import SelectChoice

from cxculture.access import roles_required
from cxculture.forms import Form
from cxculture.hr.forms import ActionForm
from cxculture.models import Department, Role, User, utcnow
from cxculture.paths import PATH_MAX_LENGTH, is_below
from cxculture.people.forms import (
    NO_DEPARTMENT,
    EraseForm,
    HeadsForm,
    MergeForm,
    MoveForm,
    PersonForm,
    RenameForm,
)
from cxculture.query_params import number_arg, text_arg
from cxculture.services import audit, org
from cxculture.services.org import erasure, people
from cxculture.services.org.people import PeopleFilter

bp = Blueprint("people", __name__)
HR_ONLY = roles_required(Role.HR_ADMIN)

MAX_PAGE = 10**9 - 1  # a larger page number is malformed, not just past the end
SEARCH_MAX = 200  # characters of the people search

STATUS_LABELS = {
    PeopleFilter.ACTIVE: _l("Active"),
    PeopleFilter.INACTIVE: _l("Deactivated"),
    PeopleFilter.ALL: _l("Everyone"),
}


def _page_number() -> int:
    return number_arg("page", 1, 1, MAX_PAGE)


def _status() -> PeopleFilter:
    try:
        return PeopleFilter(request.args.get("status", PeopleFilter.ACTIVE))
    except ValueError:
        abort(400)


@bp.route("/people")
@HR_ONLY
def people_index():
    query = text_arg("q", SEARCH_MAX)
    status = _status()
    found = people.search_people(query, status, _page_number())
    return render_template(
        "people/index.html", found=found, q=query, status=status, status_labels=STATUS_LABELS
    )


def _person_or_404(user_id: int) -> User:
    person = people.get_person(user_id)
    if person is None:
        abort(404)
    return person


def _department_label(department: Department) -> str:
    if department.archived_at is not None:
        return _("%(path)s (archived)", path=department.path)
    return department.path


def _fill_person_choices(form: PersonForm, person: User) -> None:
    departments = org.list_departments(include_archived=True)
    # An archived department is offered only to someone already in it (a leaver kept there).
    form.department_id.choices = [SelectChoice(NO_DEPARTMENT, _("No department"))] + [
        SelectChoice(d.id, _department_label(d))
        for d in departments
        if d.archived_at is None or d.id == person.department_id
    ]
    form.headed_department_ids.choices = [
        SelectChoice(d.id, _department_label(d)) for d in departments
    ]


PERSON_ERRORS = {
    # refusal: (field, message)
    people.SelfDeactivation: (
        "is_active",
        _l("You cannot deactivate your own account. Ask another HR admin."),
    ),
    people.SelfDemotion: (
        "is_hr_admin",
        _l("You cannot remove your own HR admin role. Ask another HR admin."),
    ),
    people.ManagerLoop: (
        "manager_email",
        _l("This would make a loop: a person cannot manage themselves, directly or not."),
    ),
    people.UnknownManager: ("manager_email", _l("Nobody has this email address.")),
    people.InactiveManager: (
        "manager_email",
        _l("This person is deactivated and cannot become a manager."),
    ),
    people.InactiveCannotHead: (
        "headed_department_ids",
        _l("A deactivated person cannot head departments: clear them to deactivate."),
    ),
    people.ArchivedDepartment: (
        "department_id",
        _l("This department is archived and takes no new people."),
    ),
    people.UnknownDepartment: ("department_id", _l("This department no longer exists.")),
    people.RoleNeedsEmail: (
        "is_hr_admin",
        _l(
            "This person has no email: they cannot be HR admin or head departments, since both "
            "log in with their email. Add their email through the import first."
        ),
    ),
}


@bp.route("/people/<int:user_id>", methods=["GET", "POST"])
@HR_ONLY
def person(user_id: int):
    person = _person_or_404(user_id)
    form = PersonForm() if PersonForm().is_submitted() else PersonForm.for_person(person)
    _fill_person_choices(form, person)
    if form.validate_on_submit():
        try:
            people.update_person(person, form.changes(), current_user, utcnow())
        except people.LookAlikeManager as exc:
            form.manager_email.errors.append(
                _(
                    "Nobody has this address, but it looks like %(email)s: they differ only by "
                    "look-alike characters (another alphabet, full-width or stylised letters).",
                    email=exc.other,
                )
            )
        except people.PersonChangeRefused as exc:
            field, message = PERSON_ERRORS[type(exc)]
            if isinstance(exc, people.RoleNeedsEmail) and not form.is_hr_admin.data:
                field = "headed_department_ids"
            form[field].errors.append(str(message))
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("people.person", user_id=user_id))
    return render_template(
        "people/person.html",
        person=person,
        form=form,
        action_form=ActionForm(),
        events=audit.events_for("user", person.id),
    ), (422 if form.is_submitted() else 200)


@bp.route("/people/<int:user_id>/set-password-link", methods=["POST"])
@HR_ONLY
def resend_link(user_id: int):
    person = _person_or_404(user_id)
    if ActionForm().validate_on_submit():
        try:
            people.resend_set_password_link(person, current_user)
        except people.PersonInactive:
            flash(_("This person is deactivated: reactivate them first."), "warning")
        except people.NoEmail:
            flash(
                _("This person has no email: they have no password, and answer with codes."),
                "warning",
            )
        else:
            flash(
                _("A new set-password link is on its way to %(email)s.", email=person.email),
                "success",
            )
    return redirect(url_for("people.person", user_id=user_id))


@bp.route("/people/<int:user_id>/erase")
@HR_ONLY
def confirm_erase(user_id: int):
    """The second step of erasing: whose data, what goes and what stays, then the email typed."""
    person = _person_or_404(user_id)
    preview = erasure.erasure_preview(person, current_user)
    refusal = None
    if isinstance(preview.refusal, erasure.SelfErasure):
        refusal = _("You cannot erase your own account. Ask another HR admin.")
    elif isinstance(preview.refusal, erasure.LastHrAdmin):
        refusal = _("This is the only active HR admin: make someone else HR admin first.")
    return render_template(
        "people/confirm_erase.html",
        person=person,
        preview=preview,
        form=EraseForm.for_person(person),
        refusal=refusal,
    )


@bp.route("/people/<int:user_id>/erase", methods=["POST"])
@HR_ONLY
def erase(user_id: int):
    person = people.get_person(user_id)
    if person is None:
        if not erasure.was_erased(user_id):
            abort(404)
        # Erased by the first of two submits: say so rather than "not found".
        flash(_("This person has already been erased."), "info")
        return redirect(url_for("people.people_index"))
    form = EraseForm()
    if not form.validate_on_submit() or not form.confirms(person):
        flash(
            _("Type the person's email or employee number exactly: nobody was erased."),
            "warning",
        )
        return redirect(url_for("people.confirm_erase", user_id=user_id))
    try:
        erasure.erase_person(person, current_user, utcnow())
    except erasure.SelfErasure:
        flash(_("You cannot erase your own account. Ask another HR admin."), "warning")
    except erasure.LastHrAdmin:
        flash(_("This is the only active HR admin: make someone else HR admin first."), "warning")
    else:
        flash(
            _("The person was erased. Their survey answers stay in the results, linked to no one."),
            "success",
        )
        return redirect(url_for("people.people_index"))
    return redirect(url_for("people.person", user_id=user_id))


@bp.route("/departments")
@HR_ONLY
def departments():
    return render_template("people/departments.html", rows=org.department_rows())


def _department_or_404(department_id: int) -> Department:
    department = org.get_department(department_id)
    if department is None:
        abort(404)
    return department


class DepartmentForms:
    """The small forms of a department's page; ``submitted`` holds the one just posted."""

    def __init__(self, department: Department, **submitted: Form):
        self.rename = submitted.get("rename") or RenameForm(formdata=None, name=department.name)
        self.move = submitted.get("move") or MoveForm(
            formdata=None, parent_id=department.parent_id or NO_DEPARTMENT
        )
        self.heads = submitted.get("heads") or HeadsForm(
            formdata=None,
            emails="\n".join(person.email for person in department.heads if person.email),
        )
        self.merge = submitted.get("merge") or MergeForm(formdata=None)
        self.action = ActionForm(formdata=None)
        self._fill_choices(department)

    def _fill_choices(self, department: Department) -> None:
        """Offer only what the service would accept: never the department or one below it,
        and an archived department only as the place of an archived one."""
        outside = [
            d
            for d in org.list_departments(include_archived=True)
            if d.id != department.id and not is_below(d.path, department.path)
        ]
        self.move.parent_id.choices = [SelectChoice(NO_DEPARTMENT, _("Top level"))] + [
            SelectChoice(d.id, _department_label(d))
            for d in outside
            if d.archived_at is None or department.archived_at is not None
        ]
        self.merge.target_id.choices = [
            SelectChoice(d.id, d.path) for d in outside if d.archived_at is None
        ]


def _department_page(department: Department, forms: DepartmentForms, status: int = 200):
    rows = org.department_rows([department])
    return render_template(
        "people/department.html",
        department=department,
        row=next(row for row in rows if row.id == department.id),
        below=[row for row in rows if is_below(row.path, department.path)],
        forms=forms,
        events=audit.events_for("department", department.id),
    ), status


@bp.route("/departments/<int:department_id>")
@HR_ONLY
def department(department_id: int):
    department = _department_or_404(department_id)
    return _department_page(department, DepartmentForms(department))


def _tree_error(exc: org.DepartmentChangeRefused) -> str:
    """What HR reads when the service refuses a change to the tree."""
    if isinstance(exc, org.DepartmentPathTaken):
        return _("There is already a department at “%(path)s”.", path=exc.path)
    if isinstance(exc, org.InvalidDepartmentName):
        return _("A department name cannot be blank or contain “/”.")
    if isinstance(exc, org.PathTooLong):
        return _(
            "The path of this department, or of one below it, would be longer than "
            "%(n)d characters.",
            n=PATH_MAX_LENGTH,
        )
    if isinstance(exc, org.WouldBeOwnAncestor):
        return _("A department cannot go under itself or under a department below it.")
    if isinstance(exc, org.DepartmentHasPeople):
        return _("People are still in this department. Move them to another one first.")
    if isinstance(exc, org.DepartmentHasSubdepartments):
        return _("Departments below this one are not archived yet. Archive them first.")
    if isinstance(exc, org.DepartmentArchived):
        return _("An archived department takes no departments or people. Restore it first.")
    if isinstance(exc, org.HeadWithoutEmail):
        return _(
            "People without an email cannot head a department (heads log in with their "
            "email): %(names)s",
            names=", ".join(exc.names),
        )
    if isinstance(exc, org.InactiveHead):
        return _(
            "Deactivated people cannot head a department: %(emails)s",
            emails=", ".join(exc.emails),
        )
    raise exc


@bp.route("/departments/<int:department_id>/rename", methods=["POST"])
@HR_ONLY
def rename_department(department_id: int):
    department = _department_or_404(department_id)
    forms = DepartmentForms(department, rename=RenameForm())
    form = forms.rename
    if form.validate_on_submit():
        try:
            org.rename_department(department, form.name.data, current_user)
        except org.DepartmentChangeRefused as exc:
            form.name.errors.append(_tree_error(exc))
        else:
            flash(
                _("Department renamed. Past results keep the name they were given under."),
                "success",
            )
            return redirect(url_for("people.department", department_id=department_id))
    return _department_page(department, forms, 422)


@bp.route("/departments/<int:department_id>/move", methods=["POST"])
@HR_ONLY
def move_department(department_id: int):
    department = _department_or_404(department_id)
    forms = DepartmentForms(department, move=MoveForm())
    form = forms.move
    if form.validate_on_submit():
        parent = org.get_department(form.parent_id.data) if form.parent_id.data else None
        try:
            org.move_department(department, parent, current_user)
        except org.DepartmentChangeRefused as exc:
            form.parent_id.errors.append(_tree_error(exc))
        else:
            flash(_("Department moved. Past results stay where they were given."), "success")
            return redirect(url_for("people.department", department_id=department_id))
    return _department_page(department, forms, 422)


@bp.route("/departments/<int:department_id>/heads", methods=["POST"])
@HR_ONLY
def set_heads(department_id: int):
    department = _department_or_404(department_id)
    forms = DepartmentForms(department, heads=HeadsForm())
    form = forms.heads
    if form.validate_on_submit():
        heads, unknown = people.people_by_emails(form.email_list())
        if unknown:
            look_alikes = people.look_alikes(unknown)
            for email, other in look_alikes.items():
                form.emails.errors.append(
                    _(
                        "Nobody has %(email)s, but it looks like %(other)s: they differ only "
                        "by look-alike characters (another alphabet, full-width or stylised "
                        "letters).",
                        email=email,
                        other=other,
                    )
                )
            if unknown := [email for email in unknown if email not in look_alikes]:
                form.emails.errors.append(
                    _("Nobody has these email addresses: %(emails)s", emails=", ".join(unknown))
                )
            return _department_page(department, forms, 422)
        try:
            org.set_department_heads(department, heads, current_user)
        except org.DepartmentChangeRefused as exc:
            form.emails.errors.append(_tree_error(exc))
        else:
            flash(_("Heads saved."), "success")
            return redirect(url_for("people.department", department_id=department_id))
    return _department_page(department, forms, 422)


@bp.route("/departments/<int:department_id>/merge", methods=["POST"])
@HR_ONLY
def merge_department(department_id: int):
    department = _department_or_404(department_id)
    forms = DepartmentForms(department, merge=MergeForm())
    form = forms.merge
    if form.validate_on_submit():
        target = org.get_department(form.target_id.data)
        if target is None:
            abort(404)
        try:
            org.merge_department(department, target, current_user)
        except org.DepartmentChangeRefused as exc:
            form.target_id.errors.append(_tree_error(exc))
        else:
            flash(_("Merged into %(path)s.", path=target.path), "success")
            return redirect(url_for("people.department", department_id=target.id))
    return _department_page(department, forms, 422)


@bp.route("/departments/<int:department_id>/<any(archive, restore):action>", methods=["POST"])
@HR_ONLY
def archive_department(department_id: int, action: str):
    department = _department_or_404(department_id)
    if ActionForm().validate_on_submit():
        try:
            if action == "archive":
                org.archive_department(department, current_user, utcnow())
            else:
                org.restore_department(department, current_user)
        except org.DepartmentChangeRefused as exc:
            flash(_tree_error(exc), "warning")
        else:
            done = _("Department archived.") if action == "archive" else _("Department restored.")
            flash(done, "success")
    return redirect(url_for("people.department", department_id=department_id))
