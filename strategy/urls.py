from django.urls import path

from strategy.views import (
    decisions,
    differences,
    discussions,
    drafts,
    household,
    invitees,
    recording,
    trail,
    transfers,
)

app_name = "strategy"

urlpatterns = [
    path("", discussions.discussion_list, name="list"),
    path("new/", discussions.discussion_create, name="create"),
    path("<int:pk>/", discussions.discussion_detail, name="detail"),
    path("<int:pk>/summary/", discussions.discussion_summary, name="summary"),
    path("<int:pk>/edit/", discussions.discussion_update, name="update"),
    path("<int:pk>/children/add/", household.child_edit, name="child_add"),
    path("<int:pk>/children/<int:child_pk>/", household.child_edit, name="child_edit"),
    path("<int:pk>/adults/add/", household.adult_edit, name="adult_add"),
    path("<int:pk>/adults/<int:adult_pk>/", household.adult_edit, name="adult_edit"),
    path(
        "<int:pk>/children/<int:person_pk>/remove/",
        household.person_remove,
        {"kind": "child"},
        name="child_remove",
    ),
    path(
        "<int:pk>/adults/<int:person_pk>/remove/",
        household.person_remove,
        {"kind": "adult"},
        name="adult_remove",
    ),
    path("<int:pk>/invitees/", invitees.invitees_edit, name="invitees"),
    path("<int:pk>/attendance/", recording.attendance_edit, name="attendance"),
    path(
        "<int:pk>/attendance/<int:invitee_pk>/information/",
        recording.information_edit,
        name="information",
    ),
    path("<int:pk>/analysis/", recording.analysis_edit, name="analysis"),
    path("<int:pk>/children/<int:child_pk>/voice/", recording.child_voice_edit, name="voice"),
    path("<int:pk>/children/<int:child_pk>/decision/", decisions.decision_edit, name="decision"),
    path(
        "<int:pk>/children/<int:child_pk>/positions/",
        decisions.positions_edit,
        name="positions",
    ),
    path(
        "<int:pk>/children/<int:child_pk>/conference-held/",
        decisions.conference_held,
        name="conference_held",
    ),
    path("<int:pk>/differences/new/", differences.difference_create, name="difference_create"),
    path(
        "<int:pk>/differences/<int:difference_pk>/",
        differences.difference_detail,
        name="difference",
    ),
    path(
        "<int:pk>/differences/<int:difference_pk>/stage/",
        differences.difference_stage,
        name="difference_stage",
    ),
    path(
        "<int:pk>/differences/<int:difference_pk>/escalate/",
        differences.difference_escalate,
        name="difference_escalate",
    ),
    path(
        "<int:pk>/differences/<int:difference_pk>/resolve/",
        differences.difference_resolve,
        name="difference_resolve",
    ),
    path("<int:pk>/actions/add/", recording.action_add, name="action_add"),
    path("<int:pk>/actions/<int:action_pk>/remove/", recording.action_remove, name="action_remove"),
    path("<int:pk>/actions/<int:action_pk>/done/", recording.action_done, name="action_done"),
    path("<int:pk>/plan/", recording.plan_edit, name="plan"),
    path("<int:pk>/follow-up/", recording.follow_up_create, name="follow_up"),
    path("<int:pk>/final/", discussions.outcome_final, name="final"),
    path("<int:pk>/draft/", drafts.form_draft, name="draft"),
    path("<int:pk>/transfers/new/", transfers.transfer_propose, name="transfer_propose"),
    path(
        "<int:pk>/transfers/<int:transfer_pk>/acceptance/",
        transfers.transfer_accept,
        name="transfer_accept",
    ),
    path("<int:pk>/close/", discussions.discussion_close, name="close"),
    path("<int:pk>/audit-trail/", trail.discussion_trail, name="trail"),
]
