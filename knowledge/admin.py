from django.contrib import admin

from .models import Article, ArticleVersion, Tag


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ["name"]


class ArticleVersionInline(admin.TabularInline):
    """The history, read only: a version changes nothing once written."""

    model = ArticleVersion
    fields = ["number", "title", "status", "note", "is_major", "created_by", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    """To look things up: writing goes through the desk's pages, which keep the versions and audit."""

    list_display = ["title", "kind", "audience", "status", "owner", "review_by", "updated_at"]
    list_filter = ["kind", "audience", "status"]
    search_fields = ["title", "summary"]
    exclude = ["search_document", "subject_document"]
    inlines = [ArticleVersionInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
