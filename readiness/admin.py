from django.contrib import admin

from .models import Acknowledgement, TrainingRecord


@admin.register(TrainingRecord)
class TrainingRecordAdmin(admin.ModelAdmin):
    list_display = ["agent", "service", "article", "article_version_number", "completed_on"]
    list_filter = ["service"]
    list_select_related = ["agent", "service", "article"]
    raw_id_fields = ["agent", "trained_by", "recorded_by", "article"]


@admin.register(Acknowledgement)
class AcknowledgementAdmin(admin.ModelAdmin):
    list_display = ["agent", "article", "version_number", "acknowledged_at"]
    list_select_related = ["agent", "article"]
    raw_id_fields = ["agent", "article"]
