"""Om tallene: what the figures measure, who is covered, events, source, suppression, changing data and
the audit log. Layout only."""

import polars as pl
import streamlit as st

from joblog_dash.analysis import privacy
from joblog_dash.data import audit, reference
from joblog_dash.text import fmt
from joblog_dash.text.strings import t
from joblog_dash.ui import admin
from joblog_dash.ui.layout import page_setup
from joblog_dash.ui.upload import render_upload_section

ctx = page_setup(t("nav_about"), show_filters=())
manifest = ctx.manifest
months = ctx.choices.months

st.subheader(t("about_measure_heading"))
st.markdown(t("about_measure"))

st.subheader(t("about_groups_heading"))
st.markdown(t("about_groups"))
st.markdown(
    "\n".join(
        f"- **{reference.group_label(g, short=True)}**: {reference.group_label(g)}"
        for g in ctx.choices.groups
    )
)

st.subheader(t("about_events_heading"))
st.markdown(t("about_events"))
events = reference.events()
st.table(  # a static table: the descriptions are long and must wrap, not be cut off in a grid cell
    pl.DataFrame(
        {
            t("col_start"): [fmt.day_long(e.start) for e in events],
            t("col_end"): [fmt.day_long(e.end) if e.end else "" for e in events],
            t("col_event"): [e.label for e in events],
            t("col_description"): [e.description for e in events],
            t("col_groups"): [
                ", ".join(reference.group_label(g, short=True) for g in e.benefit_groups) for e in events
            ],
            t("col_event_source"): [e.source for e in events],
        }
    ),
    hide_index=True,
)
st.subheader(t("about_system_heading"))
st.markdown(t("about_system"))

st.subheader(t("about_source_heading"))
st.markdown(t("about_demo") if manifest.is_demo else t("about_real"))
facts = {
    t("about_kind"): t("about_kind_demo") if manifest.is_demo else t("about_kind_real"),
    t("about_source"): manifest.source,
    t("about_created"): manifest.created_at.replace("T", " ")[:16],
    t("about_period"): f"{fmt.month_short(months[0])} – {fmt.month_short(months[-1])}",
    t("about_months"): fmt.number(len(months)),
    t("about_rows"): fmt.number(manifest.rows),
    t("about_version"): manifest.version,
}
st.markdown("\n".join(f"- **{key}:** {value}" for key, value in facts.items()))
if manifest.files:
    st.markdown(f"**{t('about_files')}**")
    st.dataframe(
        pl.DataFrame(
            {
                t("about_file"): [f.get("name", "") for f in manifest.files],
                t("about_sha"): [f.get("sha256", "") for f in manifest.files],
            }
        ),
        hide_index=True,
        key="about_files",
    )
else:
    st.caption(t("about_no_files"))
st.warning(t("about_provisional", month=fmt.month_long(months[-1])), icon="⏳")

st.subheader(t("std_about_heading"))
st.markdown(t("std_about"))
st.subheader(t("about_searches_heading"))
st.markdown(t("about_searches"))

st.subheader(t("about_suppression_heading"))
st.markdown(t("about_suppression", min=privacy.MIN_PERSONS, max=privacy.MIN_PERSONS - 1))

st.subheader(t("admin_heading"))
who = admin.render_sign_in()
if who is not None:  # only a signed-in administrator sees the upload and rollback, and they are logged
    admin.render_problem_detail(ctx.db.problem_detail)
    with audit.acting_as(who):
        render_upload_section()
        admin.render_rollback()
admin.render_audit_log(show_actor=who is not None)
