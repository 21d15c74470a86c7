"""The GOV.UK layout every form in the service uses (agencies, strategy and minutes alike)."""

from typing import Any

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Layout, Size


def gds_helper(
    *fields: Any, submit: str, button_id: str = "id_submit", secondary: bool = False
) -> FormHelper:
    """A GOV.UK layout; the page supplies the <form> tag, its CSRF token and the error
    summary. secondary: the page's main action is another button (one primary a page)."""
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    helper.label_size = Size.SMALL
    helper.legend_size = Size.SMALL
    helper.layout = Layout(
        *fields,
        Button(
            "submit",
            submit,
            css_id=button_id,
            css_class="govuk-button--secondary" if secondary else "",
        ),
    )
    return helper
