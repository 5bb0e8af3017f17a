"""When the service desk works: SLA clocks and follow-ups only run inside its hours."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class BusinessCalendar(models.Model):
    """The desk's working week and holidays; SLA clocks only run inside it."""

    name = models.CharField(max_length=100, unique=True)
    time_zone = models.CharField(max_length=64, default="Europe/London")
    is_default = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="tickets_one_default_calendar"
            )
        ]

    def __str__(self) -> str:
        return self.name


class WorkingHours(models.Model):
    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="working_hours")
    weekday = models.PositiveSmallIntegerField(choices=Weekday)
    opens = models.TimeField()
    closes = models.TimeField()

    class Meta:
        verbose_name_plural = _("working hours")
        ordering = ["weekday"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "weekday"], name="tickets_one_period_per_weekday"),
            models.CheckConstraint(
                condition=Q(opens__lt=models.F("closes")), name="tickets_hours_open_before_close"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


class Holiday(models.Model):
    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="holidays")
    date = models.DateField()
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="tickets_one_holiday_per_date")
        ]

    def __str__(self) -> str:
        return f"{self.date}: {self.name}"
