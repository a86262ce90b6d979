"""Renderers: each takes only an ArticleReport."""

from attribution.report.html_report import render_html
from attribution.report.json_report import SCHEMA_VERSION, render_json, report_schema, report_to_dict
from attribution.report.markdown_report import render_markdown

__all__ = ["SCHEMA_VERSION", "render_html", "render_json", "render_markdown", "report_schema", "report_to_dict"]
