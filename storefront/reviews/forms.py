"""Site forms. Like the API serializers they name only what a customer may set."""

from django import forms

from commerce.reviews.models import MAX_REVIEW_IMAGES


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked and re-encoded by the service, not here."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


class ReviewForm(forms.Form):
    rating = forms.TypedChoiceField(
        choices=[(n, f"{n} star{'s' if n > 1 else ''}") for n in range(5, 0, -1)], coerce=int
    )
    title = forms.CharField(max_length=150)
    body = forms.CharField(label="Your review", max_length=5000, widget=forms.Textarea(attrs={"rows": 5}))
    images = MultipleFileField(
        required=False, help_text=f"Up to {MAX_REVIEW_IMAGES} JPEG, PNG or WebP images, 5 MB each"
    )

    def clean_images(self):
        images = self.cleaned_data["images"]
        if len(images) > MAX_REVIEW_IMAGES:
            raise forms.ValidationError(f"At most {MAX_REVIEW_IMAGES} images.")
        return images
